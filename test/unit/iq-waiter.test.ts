import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { decodeInbound, parseStanza, parseXmlElement } from '../../src/xmpp/codec/index.ts';
import { IqWaiter } from '../../src/xmpp/iq-waiter.ts';

const domain = 'rest.example.net';
const request = () =>
  parseStanza("<iq type='get' to='alice@example.net/phone' id='q1'><ping xmlns='urn:xmpp:ping'/></iq>", {
    domain,
    maxBytes: 4096,
    maxStanzaBytes: 8192,
  });
const reply = (from: string, type = 'result', id = 'q1') =>
  decodeInbound(
    parseXmlElement(`<iq from='${from}' to='${domain}' type='${type}' id='${id}'/>`, { maxBytes: 4096 }),
    domain,
  )!;
const unsent = () => new GatewayError('link-down');

describe('IqWaiter', () => {
  it('resolves with the reply from the address the request went to', async () => {
    const waiter = new IqWaiter(unsent);
    const { reply: promise, sent } = waiter.expect(request(), 1000);
    sent();
    assert.equal(waiter.settle(reply('mallory@example.net/x')), false, 'a reply from elsewhere is not ours');
    assert.equal(waiter.settle(reply('alice@example.net/phone', 'result', 'other')), false);
    assert.equal(waiter.settle(reply('alice@example.net/phone', 'error')), true);
    assert.equal((await promise).type, 'error');
    assert.equal(waiter.pending, 0);
  });

  it('times out with iq-timeout once sent, with the unsent error before', async () => {
    const waiter = new IqWaiter(unsent);
    const first = waiter.expect(request(), 10);
    first.sent();
    await assert.rejects(first.reply, (error: GatewayError) => error.kind === 'iq-timeout');
    const second = waiter.expect(request(), 10);
    await assert.rejects(second.reply, (error: GatewayError) => error.kind === 'link-down');
  });

  it('refuses a second request with the same id to the same address while the first waits', () => {
    const waiter = new IqWaiter(unsent);
    const first = waiter.expect(request(), 1000);
    assert.throws(
      () => waiter.expect(request(), 1000),
      (error: GatewayError) => error.kind === 'iq-conflict',
    );
    first.cancel(new GatewayError('shutting-down'));
    first.reply.catch(() => {});
  });

  it('fails only requests already written when the link drops', async () => {
    const waiter = new IqWaiter(unsent);
    const written = waiter.expect(request(), 1000);
    written.sent();
    const queued = waiter.expect(
      parseStanza("<iq type='get' to='localhost' id='q2'><ping xmlns='urn:xmpp:ping'/></iq>", {
        domain,
        maxBytes: 4096,
        maxStanzaBytes: 8192,
      }),
      1000,
    );
    waiter.failSent(() => new GatewayError('link-lost'));
    await assert.rejects(written.reply, (error: GatewayError) => error.kind === 'link-lost');
    assert.equal(waiter.pending, 1);
    waiter.failAll(() => new GatewayError('shutting-down'));
    await assert.rejects(queued.reply, (error: GatewayError) => error.kind === 'shutting-down');
  });
});
