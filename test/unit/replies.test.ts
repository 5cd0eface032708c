import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Element } from 'ltx';
import { NS_STANZAS } from '../../src/errors/stanza-error.ts';
import { errorElement, errorReply, iqResult, readStanzaError } from '../../src/xmpp/codec/replies.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';
import type { Stanza } from '../../src/xmpp/codec/index.ts';

/**
 * The codec's replies to a received stanza (RFC 6120 §8.2.3 and §8.3): back to the sender, from
 * the address it was sent to, with its id; and reading an error stanza's `<error/>` back.
 */
const DOMAIN = 'rest.localhost';

function received(xml: string): Stanza {
  const stanza = stanzaFromLog(xml, DOMAIN);
  if (!stanza) throw new Error(xml);
  return stanza;
}

const iq = received(
  "<iq from='alice@localhost/phone' to='bot@rest.localhost' id='q1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
);
const message = received(
  "<message from='alice@localhost/phone' to='bot@rest.localhost' id='m1' type='chat'><body>hi</body></message>",
);

describe('replies', () => {
  it('an iq result goes back to the sender, from the address it was sent to, with its id and payload', () => {
    const reply = iqResult(iq, new Element('query', { xmlns: 'urn:example:q' }));
    assert.equal(
      reply.element.toString(),
      '<iq from="bot@rest.localhost" to="alice@localhost/phone" id="q1" type="result"><query xmlns="urn:example:q"/></iq>',
    );
    assert.equal(reply.kind, 'iq');
    assert.equal(reply.from.toString(), 'bot@rest.localhost');
    assert.equal(reply.to.toString(), 'alice@localhost/phone');
    assert.equal(iqResult(iq).element.children.length, 0, 'no payload, no child');
  });

  it('an error reply keeps the kind, names who generated it, and carries condition and text', () => {
    const reply = errorReply(message, { type: 'wait', condition: 'resource-constraint', text: 'slow down' });
    assert.equal(
      reply.element.toString(),
      '<message from="bot@rest.localhost" to="alice@localhost/phone" id="m1" type="error">' +
        `<error type="wait" by="bot@rest.localhost"><resource-constraint xmlns="${NS_STANZAS}"/>` +
        `<text xmlns="${NS_STANZAS}">slow down</text></error></message>`,
    );
    assert.equal(reply.kind, 'message');
  });

  it('an error element without `by` or text has neither', () => {
    assert.equal(
      errorElement({ type: 'cancel', condition: 'item-not-found' }).toString(),
      `<error type="cancel"><item-not-found xmlns="${NS_STANZAS}"/></error>`,
    );
  });
});

describe('reading an error stanza back', () => {
  const withError = (error: string) =>
    received(`<message from='alice@localhost/phone' to='bot@rest.localhost' id='e1' type='error'>${error}</message>`);

  it('reads type, condition and text, skipping the text element when finding the condition', () => {
    for (const type of ['auth', 'cancel', 'continue', 'modify', 'wait'] as const) {
      assert.deepEqual(
        readStanzaError(
          withError(
            `<error type='${type}'><text xmlns='${NS_STANZAS}'>why</text><forbidden xmlns='${NS_STANZAS}'/></error>`,
          ),
        ),
        { type, condition: 'forbidden', text: 'why' },
      );
    }
  });

  it('an unknown type reads as cancel; no condition as undefined-condition; no text as undefined', () => {
    assert.deepEqual(readStanzaError(withError("<error type='odd'/>")), {
      type: 'cancel',
      condition: 'undefined-condition',
      text: undefined,
    });
  });

  it('a condition or text in another namespace is not the error', () => {
    assert.deepEqual(
      readStanzaError(withError("<error type='wait'><forbidden xmlns='urn:example:other'/><text>x</text></error>")),
      { type: 'wait', condition: 'undefined-condition', text: undefined },
    );
  });

  it('a stanza without an error element has none', () => {
    assert.equal(readStanzaError(message), undefined);
  });
});
