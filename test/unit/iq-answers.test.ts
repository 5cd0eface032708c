import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { IqAnswers } from '../../src/subscribers/iq-answers.ts';
import { decodeInbound, parseStanza, parseXmlElement, readStanzaError, type Stanza } from '../../src/xmpp/codec/index.ts';

const DOMAIN = 'rest.example.net';
const rules = { domain: DOMAIN };

function request(id: string, to = `bot@${DOMAIN}`): Stanza {
  const xml = `<iq type='get' id='${id}' from='alice@example.net/phone' to='${to}'><query xmlns='urn:q'/></iq>`;
  return decodeInbound(parseXmlElement(xml, { maxBytes: 10_000 }), DOMAIN)!;
}

function reply(id: string, extra = ''): Stanza {
  return parseStanza(`<iq type='result' id='${id}' to='alice@example.net/phone'${extra}/>`, { ...rules, allowIqReplies: true, maxBytes: 10_000 });
}

function answers(timeoutMs = 1000) {
  const sent: Stanza[] = [];
  return {
    sent,
    answers: new IqAnswers({
      timeoutMs,
      rules,
      sendReply: async (stanza) => {
        sent.push(stanza);
      },
    }),
  };
}

describe('IqAnswers', () => {
  it('the first reply is the answer, with from forced to where the iq went; the second is refused', () => {
    const { answers: held } = answers();
    assert.equal(held.hold(request('a')), true);
    const answer = held.claim(reply('a'));
    assert.equal(answer.from.toString(), `bot@${DOMAIN}`);
    assert.equal(answer.to.toString(), 'alice@example.net/phone');
    assert.equal(answer.id, 'a');
    assert.throws(() => held.claim(reply('a')), (error) => error instanceof GatewayError && error.kind === 'no-pending-iq');
    assert.equal(held.size, 0);
  });

  it('a reply that names the right from is sent as it is', () => {
    const { answers: held } = answers();
    held.hold(request('b'));
    const given = reply('b', ` from='bot@${DOMAIN}'`);
    assert.equal(held.claim(given), given);
  });

  it('a reply to an unknown id or another requester is refused', () => {
    const { answers: held } = answers();
    held.hold(request('c'));
    assert.throws(() => held.claim(reply('other')), /No inbound iq is waiting/);
    const elsewhere = parseStanza(`<iq type='result' id='c' to='bob@example.net/x'/>`, { ...rules, allowIqReplies: true, maxBytes: 10_000 });
    assert.throws(() => held.claim(elsewhere), /No inbound iq is waiting/);
    assert.equal(held.size, 1);
  });

  it('no reply in time: the gateway answers wait/remote-server-timeout once, and a late reply is refused', async () => {
    const { answers: held, sent } = answers(30);
    held.hold(request('d'));
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(sent.length, 1);
    assert.deepEqual(readStanzaError(sent[0]!), { type: 'wait', condition: 'remote-server-timeout', text: undefined });
    assert.equal(sent[0]!.to.toString(), 'alice@example.net/phone');
    assert.throws(() => held.claim(reply('d')), /No inbound iq is waiting/);
  });

  it('a duplicate id from the same sender is not taken twice', () => {
    const { answers: held } = answers();
    assert.equal(held.hold(request('e')), true);
    assert.equal(held.hold(request('e', `other@${DOMAIN}`)), false);
  });

  it('close() answers every pending iq', async () => {
    const { answers: held, sent } = answers();
    held.hold(request('f'));
    held.hold(request('g'));
    await held.close();
    assert.deepEqual(sent.map((stanza) => [stanza.id, readStanzaError(stanza)?.condition]), [
      ['f', 'service-unavailable'],
      ['g', 'service-unavailable'],
    ]);
  });
});
