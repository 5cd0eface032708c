import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { builtinAnswerer } from '../../src/xmpp/builtin-answers.ts';
import { decodeInbound, parseXmlElement, readStanzaError, type Stanza } from '../../src/xmpp/codec/index.ts';
import { answererPriority, type IqAnswerer, iqCallee } from '../../src/xmpp/iq-callee.ts';

/** Who answers an inbound iq, without a link: the callee's decisions, one stanza at a time. */
const DOMAIN = 'rest.example.net';

function inbound(xml: string): Stanza {
  const stanza = decodeInbound(parseXmlElement(xml, { maxBytes: 10_000 }), DOMAIN);
  assert.ok(stanza, xml);
  return stanza;
}

const iq = (type: string, payload = "<query xmlns='urn:q'/>", to = `bot@${DOMAIN}`, id = 'q1') =>
  inbound(`<iq type='${type}' id='${id}' from='alice@example.net/phone' to='${to}'>${payload}</iq>`);

function callee() {
  const sent: Stanza[] = [];
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const routing = iqCallee((reply) => sent.push(reply), createLogger('error', sink));
  /** An answerer that records that it was asked, and takes the iq when `takes` says so. */
  const asked: string[] = [];
  const answerer =
    (name: string, takes = false): IqAnswerer =>
    () => {
      asked.push(name);
      return takes;
    };
  return { routing, sent, lines, asked, answerer };
}

describe('iq callee: who answers an inbound iq', () => {
  it('asks answerers by priority, lower first, and stops at the first that takes the iq', () => {
    const { routing, sent, asked, answerer } = callee();
    routing.add(answererPriority.subscribers, answerer('subscribers', true));
    routing.add(answererPriority.webhook, answerer('webhook'));
    routing.add(answererPriority.builtin, answerer('builtin', true));
    routing.receive(iq('get'));
    assert.deepEqual(asked, ['webhook', 'builtin']);
    assert.deepEqual(sent, [], 'the answerer that took it replies, not the callee');
  });

  it('the webhook comes before the built-in answers, which come before subscribers', () => {
    assert.ok(answererPriority.webhook < answererPriority.builtin);
    assert.ok(answererPriority.builtin < answererPriority.subscribers);
  });

  it('equal priorities are asked in the order they were added', () => {
    const { routing, asked, answerer } = callee();
    routing.add(5, answerer('first'));
    routing.add(5, answerer('second'));
    routing.add(1, answerer('earlier'));
    routing.receive(iq('set'));
    assert.deepEqual(asked, ['earlier', 'first', 'second']);
  });

  for (const type of ['get', 'set']) {
    it(`an iq ${type} that no answerer takes gets cancel/service-unavailable, once, addressed back`, () => {
      const { routing, sent, asked, answerer } = callee();
      routing.add(1, answerer('a'));
      routing.add(2, answerer('b'));
      routing.receive(iq(type));
      assert.deepEqual(asked, ['a', 'b']);
      assert.equal(sent.length, 1);
      const [reply] = sent as [Stanza];
      assert.equal(reply.kind, 'iq');
      assert.equal(reply.type, 'error');
      assert.equal(reply.id, 'q1');
      assert.equal(reply.from.toString(), `bot@${DOMAIN}`);
      assert.equal(reply.to.toString(), 'alice@example.net/phone');
      assert.deepEqual(readStanzaError(reply), { type: 'cancel', condition: 'service-unavailable', text: undefined });
    });
  }

  it('with no answerer at all, an iq request still gets service-unavailable', () => {
    const { routing, sent } = callee();
    routing.receive(iq('get'));
    assert.equal(readStanzaError(sent[0]!)?.condition, 'service-unavailable');
  });

  const neverAnswered: [string, string][] = [
    ['an iq result', `<iq type='result' id='r' from='alice@example.net/phone' to='bot@${DOMAIN}'/>`],
    [
      'an iq error',
      `<iq type='error' id='e' from='alice@example.net/phone' to='bot@${DOMAIN}'><error type='cancel'/></iq>`,
    ],
    [
      'an iq without a type',
      `<iq id='n' from='alice@example.net/phone' to='bot@${DOMAIN}'><query xmlns='urn:q'/></iq>`,
    ],
    ['an iq of an unknown type', `<iq type='poke' id='p' from='alice@example.net/phone' to='bot@${DOMAIN}'/>`],
    ['a message', `<message id='m' from='alice@example.net/phone' to='bot@${DOMAIN}'><body>hi</body></message>`],
    ['a presence', `<presence from='alice@example.net/phone' to='bot@${DOMAIN}'/>`],
  ];
  for (const [name, xml] of neverAnswered) {
    it(`${name} is never answered and no answerer is asked`, () => {
      const { routing, sent, asked, answerer } = callee();
      routing.add(1, answerer('a', true));
      routing.receive(inbound(xml));
      assert.deepEqual(asked, []);
      assert.deepEqual(sent, []);
    });
  }

  it('an answerer that throws is logged and the next one is asked', () => {
    const { routing, sent, lines, asked, answerer } = callee();
    routing.add(1, () => {
      throw new Error('broken answerer');
    });
    routing.add(2, answerer('next', true));
    routing.receive(iq('get'));
    assert.deepEqual(asked, ['next']);
    assert.deepEqual(sent, []);
    assert.equal(lines.length, 1);
    const line = JSON.parse(lines[0]!) as { msg: string; id: string; err: { message: string } };
    assert.equal(line.msg, 'an iq answerer failed');
    assert.equal(line.id, 'q1');
    assert.equal(line.err.message, 'broken answerer');
  });

  it('when every answerer throws, the iq still gets service-unavailable', () => {
    const { routing, sent } = callee();
    routing.add(1, () => {
      throw new Error('broken');
    });
    routing.receive(iq('get'));
    assert.equal(sent.length, 1);
    assert.equal(readStanzaError(sent[0]!)?.condition, 'service-unavailable');
  });

  it('a removed answerer is no longer asked; removing it twice changes nothing', () => {
    const { routing, asked, answerer } = callee();
    const remove = routing.add(1, answerer('gone', true));
    routing.add(2, answerer('stays'));
    remove();
    remove();
    routing.receive(iq('get'));
    assert.deepEqual(asked, ['stays']);
  });
});

describe('iq callee with the built-in answers', () => {
  function withBuiltin() {
    const harness = callee();
    harness.routing.add(
      answererPriority.builtin,
      builtinAnswerer(DOMAIN, (reply) => harness.sent.push(reply)),
    );
    return harness;
  }

  it('answers a ping to the bare component domain with an empty result', () => {
    const { routing, sent } = withBuiltin();
    routing.receive(iq('get', "<ping xmlns='urn:xmpp:ping'/>", DOMAIN, 'p1'));
    assert.equal(sent.length, 1);
    const [reply] = sent as [Stanza];
    assert.equal(reply.type, 'result');
    assert.equal(reply.id, 'p1');
    assert.equal(reply.from.toString(), DOMAIN);
    assert.equal(reply.to.toString(), 'alice@example.net/phone');
    assert.deepEqual(reply.payloads, []);
  });

  it('answers disco#info without a node with the identity and the two features', () => {
    const { routing, sent } = withBuiltin();
    routing.receive(iq('get', "<query xmlns='http://jabber.org/protocol/disco#info'/>", DOMAIN));
    const query = sent[0]?.payloads[0];
    assert.equal(sent[0]?.type, 'result');
    assert.equal(query?.getChild('identity')?.attrs.category, 'component');
    assert.deepEqual(
      query?.getChildren('feature').map((feature) => feature.attrs.var),
      ['http://jabber.org/protocol/disco#info', 'urn:xmpp:ping'],
    );
  });

  const notBuiltin: [string, Stanza][] = [
    ['a ping to a user at the domain', iq('get', "<ping xmlns='urn:xmpp:ping'/>", `bot@${DOMAIN}`)],
    ['a ping of type set', iq('set', "<ping xmlns='urn:xmpp:ping'/>", DOMAIN)],
    ['disco#info of a node', iq('get', "<query xmlns='http://jabber.org/protocol/disco#info' node='n'/>", DOMAIN)],
    ['disco#items', iq('get', "<query xmlns='http://jabber.org/protocol/disco#items'/>", DOMAIN)],
    ['an iq get without a payload', iq('get', '', DOMAIN)],
  ];
  for (const [name, request] of notBuiltin) {
    it(`leaves ${name} to the next answerer (here none: service-unavailable)`, () => {
      const { routing, sent, asked, answerer } = withBuiltin();
      routing.add(answererPriority.subscribers, answerer('subscribers'));
      routing.receive(request);
      assert.deepEqual(asked, ['subscribers']);
      assert.equal(sent.length, 1);
      assert.equal(readStanzaError(sent[0]!)?.condition, 'service-unavailable');
    });
  }

  it('a webhook answerer takes a ping before the built-in answer sees it', () => {
    const { routing, sent, asked, answerer } = withBuiltin();
    routing.add(answererPriority.webhook, answerer('webhook', true));
    routing.receive(iq('get', "<ping xmlns='urn:xmpp:ping'/>", DOMAIN));
    assert.deepEqual(asked, ['webhook']);
    assert.deepEqual(sent, []);
  });
});
