import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { IqAnswers } from '../../src/subscribers/iq-answers.ts';
import {
  decodeInbound,
  parseStanza,
  parseXmlElement,
  readStanzaError,
  type Stanza,
} from '../../src/xmpp/codec/index.ts';

const DOMAIN = 'rest.example.net';
const rules = { domain: DOMAIN, maxStanzaBytes: 256 * 1024 };

function request(id: string, to = `bot@${DOMAIN}`): Stanza {
  const xml = `<iq type='get' id='${id}' from='alice@example.net/phone' to='${to}'><query xmlns='urn:q'/></iq>`;
  return decodeInbound(parseXmlElement(xml, { maxBytes: 10_000 }), DOMAIN)!;
}

function reply(id: string, extra = ''): Stanza {
  return parseStanza(`<iq type='result' id='${id}' to='alice@example.net/phone'${extra}/>`, {
    ...rules,
    allowIqReplies: true,
    maxBytes: 10_000,
  });
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
    const answer = held.claim(reply('a')).reply;
    assert.equal(answer.from.toString(), `bot@${DOMAIN}`);
    assert.equal(answer.to.toString(), 'alice@example.net/phone');
    assert.equal(answer.id, 'a');
    assert.throws(
      () => held.claim(reply('a')),
      (error) => error instanceof GatewayError && error.kind === 'no-pending-iq',
    );
    assert.equal(held.size, 0);
  });

  it('a reply that names the right from is sent as it is', () => {
    const { answers: held } = answers();
    held.hold(request('b'));
    const given = reply('b', ` from='bot@${DOMAIN}'`);
    assert.equal(held.claim(given).reply, given);
  });

  it('a reply to an unknown id or another requester is refused', () => {
    const { answers: held } = answers();
    held.hold(request('c'));
    assert.throws(() => held.claim(reply('other')), /No inbound iq is waiting/);
    const elsewhere = parseStanza(`<iq type='result' id='c' to='bob@example.net/x'/>`, {
      ...rules,
      allowIqReplies: true,
      maxBytes: 10_000,
    });
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

  it('a claim released after its send failed is pending again: a retry answers it', () => {
    const { answers: held, sent } = answers();
    held.hold(request('h'));
    const claim = held.claim(reply('h'));
    assert.equal(held.size, 0);
    claim.release();
    claim.release();
    assert.equal(held.size, 1, 'given back once');
    assert.equal(held.claim(reply('h')).reply.id, 'h');
    assert.equal(sent.length, 0, 'the gateway answered nothing itself');
  });

  it('a released claim keeps the time it had left, then the gateway answers remote-server-timeout', async () => {
    const { answers: held, sent } = answers(150);
    held.hold(request('i'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    held.claim(reply('i')).release();
    await new Promise((resolve) => setTimeout(resolve, 90));
    assert.equal(sent.length, 1, 'after the 150 ms of the hold, not 150 ms after the release');
    assert.equal(readStanzaError(sent[0]!)?.condition, 'remote-server-timeout');
    assert.equal(held.size, 0);
  });

  it('a claim released after close() is answered wait/service-unavailable at once', async () => {
    const { answers: held, sent } = answers();
    held.hold(request('j'));
    const claim = held.claim(reply('j'));
    await held.close();
    assert.equal(sent.length, 0);
    claim.release();
    assert.equal(sent.length, 1);
    assert.deepEqual(readStanzaError(sent[0]!), { type: 'wait', condition: 'service-unavailable', text: undefined });
    assert.equal(held.size, 0);
    assert.equal(held.hold(request('k')), false, 'nothing is taken on after close()');
  });

  it('a claim released while the sender reused its id: the newer iq keeps the slot, the older is answered', () => {
    const { answers: held, sent } = answers();
    held.hold(request('l'));
    const claim = held.claim(reply('l'));
    const newer = request('l');
    assert.equal(held.hold(newer), true);
    claim.release();
    assert.equal(sent.length, 1);
    assert.equal(readStanzaError(sent[0]!)?.condition, 'remote-server-timeout');
    assert.equal(held.size, 1);
  });

  it('close() answers every pending iq', async () => {
    const { answers: held, sent } = answers();
    held.hold(request('f'));
    held.hold(request('g'));
    await held.close();
    assert.deepEqual(
      sent.map((stanza) => [stanza.id, readStanzaError(stanza)?.condition]),
      [
        ['f', 'service-unavailable'],
        ['g', 'service-unavailable'],
      ],
    );
  });
});
