import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { WebhookSettings } from '../../src/config.ts';
import type { InsertAck } from '../../src/db/log-writer.ts';
import type { DeliveryRecord } from '../../src/db/records.ts';
import { createLogger } from '../../src/log.ts';
import type { CallbackExchange, CallbackRequest } from '../../src/webhooks/callback-client.ts';
import { DeliveryEvents } from '../../src/webhooks/delivery-events.ts';
import type { DeliveryMetricEvents } from '../../src/webhooks/delivery-recorder.ts';
import { Dispatcher, type DispatcherWriter } from '../../src/webhooks/dispatcher.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';
import type { Stanza } from '../../src/xmpp/codec/index.ts';

/**
 * The Dispatcher with everything around it stood in for, in states an integration test cannot
 * bring about on purpose (a backlog read still running, a callback client that throws, every
 * request slot taken): the callback answers what `answer` says, the log is up and writes at
 * once, the backlog's reads return what `pending` says.
 */
const DOMAIN = 'rest.localhost';

interface Fakes {
  posts: CallbackRequest[];
  /** What went back to senders, in order. */
  sent: Stanza[];
  events: DeliveryEvents;
  answer: (request: CallbackRequest) => Promise<CallbackExchange>;
  pending: () => Promise<DeliveryRecord[]>;
}

const accepted = (): Promise<CallbackExchange> =>
  Promise.resolve({
    kind: 'response',
    status: 202,
    reason: 'Accepted',
    headers: {},
    body: Buffer.alloc(0),
    excerpt: '',
    truncated: false,
    durationMs: 1,
  });

function harness(settings: Partial<WebhookSettings> = {}): Fakes & { dispatcher: Dispatcher } {
  const stored = async (): Promise<InsertAck> => 'stored';
  const writer: DispatcherWriter = {
    up: true,
    insert: stored,
    insertOnly: stored,
    attempt: () => {},
    update: () => {},
    written: async () => {},
  };
  const fakes: Fakes = { posts: [], sent: [], events: new DeliveryEvents(), answer: accepted, pending: async () => [] };
  const dispatcher = new Dispatcher({
    send: async (stanza) => {
      fakes.sent.push(stanza);
    },
    domain: DOMAIN,
    maxStanzaBytes: 256 * 1024,
    settings: {
      secrets: [],
      timeoutMs: 1000,
      concurrency: 4,
      queueMax: 100,
      retry: { maxAttempts: 1, windowMs: 10_000, minDelayMs: 10, maxDelayMs: 10 },
      responseExcerptBytes: 64,
      ...settings,
    },
    maxReplyBytes: 65_536,
    client: {
      post: (request) => {
        fakes.posts.push(request);
        return fakes.answer(request);
      },
      close: () => {},
    },
    store: { pendingAfter: () => fakes.pending() },
    writer,
    events: fakes.events,
    metricEvents: new EventEmitter<DeliveryMetricEvents>(),
    log: createLogger('silent'),
  });
  return Object.assign(fakes, { dispatcher });
}

function inbound(xml: string): Stanza {
  const stanza = stanzaFromLog(xml, DOMAIN);
  if (!stanza) throw new Error(`not a stanza: ${xml}`);
  return stanza;
}
const iq = (id: string, from = 'alice@localhost/phone') =>
  inbound(`<iq type='get' id='${id}' from='${from}' to='bot@${DOMAIN}'><ping xmlns='urn:xmpp:ping'/></iq>`);
const message = (id: string, from = 'alice@localhost/phone') =>
  inbound(`<message type='chat' id='${id}' from='${from}' to='bot@${DOMAIN}'><body>hi</body></message>`);

/** Resolves with the delivery of this stanza once it is final; rejects after `timeoutMs`. */
async function final(events: DeliveryEvents, stanzaId: string, timeoutMs = 5000): Promise<DeliveryRecord> {
  const stream = events.subscribe({}, { capacity: 1000, overflow: () => new Error('overflow') });
  const timer = setTimeout(() => void stream.return?.(), timeoutMs);
  try {
    for await (const event of stream) {
      if (event.delivery.stanzaId === stanzaId && event.delivery.status !== 'pending') return event.delivery;
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`the delivery of ${stanzaId} did not end within ${timeoutMs} ms`);
}

const errorCondition = (stanza: Stanza | undefined) => stanza?.element.getChild('error')?.getChildElements()[0]?.name;

describe('Dispatcher', () => {
  it('rows waiting in the log, memory free: an iq is POSTed at once, a message joins the rows', async () => {
    const h = harness();
    // A read of the backlog that has not come back: rows may be waiting.
    h.pending = () => new Promise<DeliveryRecord[]>(() => {});
    h.dispatcher.resume();
    const done = final(h.events, 'q1');
    h.dispatcher.accept(iq('q1'));
    const delivery = await done;
    assert.equal(delivery.status, 'delivered');
    assert.equal(h.posts.length, 1);
    assert.deepEqual(
      h.sent.map((stanza) => [stanza.id, stanza.type]),
      [['q1', 'result']],
    );
    // Messages keep their sender's order behind the rows: kept as a row, not POSTed.
    h.dispatcher.accept(message('m1'));
    assert.equal(h.dispatcher.status().spilled, 1);
    assert.equal(h.posts.length, 1);
  });

  it('past the bound an iq is still refused at once', async () => {
    const h = harness({ queueMax: 1 });
    h.answer = () => new Promise<CallbackExchange>(() => {});
    h.dispatcher.accept(message('m1'));
    const done = final(h.events, 'q1');
    h.dispatcher.accept(iq('q1'));
    assert.equal((await done).outcome, 'rejected');
    assert.equal(errorCondition(h.sent[0]), 'resource-constraint');
  });

  for (const [name, answer] of [
    [
      'throws',
      (): Promise<CallbackExchange> => {
        throw new Error('boom');
      },
    ],
    ['rejects', (): Promise<CallbackExchange> => Promise.reject(new Error('boom'))],
  ] as const) {
    it(`a callback client that ${name}: the delivery still ends, an iq gets exactly one reply, its slot is freed`, async () => {
      const h = harness({ queueMax: 1 });
      h.answer = answer;
      const done = final(h.events, 'q1');
      h.dispatcher.accept(iq('q1'));
      const delivery = await done;
      assert.deepEqual([delivery.status, delivery.outcome], ['failed', 'interrupted']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(h.sent.length, 1, 'one reply');
      assert.equal(h.sent[0]?.type, 'error');
      assert.equal(errorCondition(h.sent[0]), 'internal-server-error');
      assert.deepEqual([h.dispatcher.status().active, h.dispatcher.status().inFlight], [0, 0]);
      // The bound is 1: a later iq is delivered, not refused.
      h.answer = accepted;
      const next = final(h.events, 'q2');
      h.dispatcher.accept(iq('q2'));
      assert.equal((await next).status, 'delivered');
    });
  }

  it("an iq's wait for a request slot ends at its deadline (WEBHOOK_TIMEOUT_MS from arrival)", async () => {
    const h = harness({ concurrency: 1, timeoutMs: 200 });
    let release!: () => void;
    h.answer = () => new Promise<CallbackExchange>((resolve) => (release = () => void resolve(accepted())));
    h.dispatcher.accept(message('m1'));
    const arrived = Date.now();
    const done = final(h.events, 'q1');
    h.dispatcher.accept(iq('q1'));
    const delivery = await done;
    const took = Date.now() - arrived;
    assert.ok(took >= 190 && took < 1000, `answered after ${took} ms`);
    assert.deepEqual([delivery.status, delivery.outcome, delivery.attemptCount], ['failed', 'unreachable', 1]);
    assert.equal(errorCondition(h.sent.find((stanza) => stanza.id === 'q1')), 'recipient-unavailable');
    assert.equal(h.posts.length, 1, 'the iq was never POSTed');
    release();
    assert.equal((await final(h.events, 'm1')).status, 'delivered');
  });

  it('an iq that waited for a slot gets only what is left of its deadline for the POST', async () => {
    const h = harness({ concurrency: 1, timeoutMs: 1000 });
    h.answer = () => new Promise<CallbackExchange>((resolve) => setTimeout(() => void resolve(accepted()), 300));
    h.dispatcher.accept(message('m1'));
    const done = final(h.events, 'q1');
    h.dispatcher.accept(iq('q1'));
    assert.equal((await done).status, 'delivered');
    assert.equal(h.posts[0]?.timeoutMs, 1000, 'a message gets the whole timeout');
    const left = h.posts[1]?.timeoutMs ?? Infinity;
    assert.ok(left > 0 && left <= 1000 - 280, `the iq's POST had ${left} ms`);
  });
});
