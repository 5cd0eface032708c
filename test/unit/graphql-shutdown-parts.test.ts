import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { DeliveryRecord } from '../../src/db/records.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { createLogger } from '../../src/log.ts';
import { InboundSubscriptions } from '../../src/subscribers/inbound-subscriptions.ts';
import { type DeliveryEvent, DeliveryEvents } from '../../src/webhooks/delivery-events.ts';
import { XmppCore } from '../../src/xmpp/core.ts';

/**
 * What the GraphQL face ends when the gateway stops (GraphqlFace.close): every `deliveries` and
 * `stanzas` subscription ends, and none starts afterwards (it would hold up the stop).
 */
const isShuttingDown = (error: unknown) => error instanceof GatewayError && error.kind === 'shutting-down';

function delivery(id: string): DeliveryRecord {
  const now = new Date();
  return {
    id,
    createdAt: now,
    updatedAt: now,
    kind: 'message',
    stanzaType: 'chat',
    stanzaId: id,
    fromJid: 'alice@example.net/phone',
    senderBare: 'alice@example.net',
    toJid: 'bot@rest.example.net',
    lang: null,
    xml: '<message/>',
    status: 'delivered',
    attemptCount: 1,
    nextAttemptAt: null,
    finishedAt: now,
    outcome: 'accepted',
    replyXml: null,
    redeliveryOf: null,
  };
}

describe('DeliveryEvents.close()', () => {
  const bounds = { capacity: 10, overflow: () => new Error('overflow') };

  it('ends every open subscription after what it buffered, and stops listening', async () => {
    const events = new DeliveryEvents();
    const first = events.subscribe({}, bounds);
    const second = events.subscribe({ kind: 'iq' }, bounds);
    events.publish({ delivery: delivery('a') });
    assert.equal(events.listening, true);
    events.close();
    assert.equal(events.listening, false);
    assert.equal(((await first.next()).value as DeliveryEvent | undefined)?.delivery.id, 'a');
    assert.deepEqual(await first.next(), { value: undefined, done: true });
    assert.deepEqual(await second.next(), { value: undefined, done: true });
  });

  it('refuses new subscriptions with shutting-down; publishing still works', () => {
    const events = new DeliveryEvents();
    events.close();
    assert.throws(() => events.subscribe({}, bounds), isShuttingDown);
    const seen: string[] = [];
    events.listen((event) => seen.push(event.delivery.id));
    events.publish({ delivery: delivery('b') });
    assert.deepEqual(seen, ['b']);
  });

  it('a subscription that ended by itself is forgotten', async () => {
    const events = new DeliveryEvents();
    const stream = events.subscribe({}, bounds);
    await stream.return?.();
    assert.equal(events.listening, false);
    events.close();
  });
});

describe('InboundSubscriptions after close()', () => {
  // Never started: the core is only what the subscriber hub attaches to.
  const config = loadConfig({
    XMPP_DOMAIN: 'rest.example.net',
    XMPP_SECRET: 'secret',
    API_TOKENS: 'token-0123456789abcdef',
  });
  const log = createLogger('silent');

  it('ends open subscriptions and refuses new ones through asError', async () => {
    const subscriptions = new InboundSubscriptions(
      new XmppCore(config.xmpp, log),
      { bufferMax: 10, answerTimeoutMs: 1000 },
      log,
    );
    const open = subscriptions.subscribe({});
    await subscriptions.close();
    assert.deepEqual(await open.next(), { value: undefined, done: true });
    assert.equal(subscriptions.count, 0);
    const refused = new Error('refused');
    assert.throws(
      () =>
        subscriptions.subscribe({}, (error) => {
          assert.ok(isShuttingDown(error));
          return refused;
        }),
      (error) => error === refused,
    );
    assert.throws(() => subscriptions.subscribe({}), isShuttingDown);
    assert.equal(subscriptions.count, 0);
  });
});
