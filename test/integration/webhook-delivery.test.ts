import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestGateway } from '../support/gateway.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { waitUntilAsync } from '../support/wait.ts';
import { caseOf, finalDelivery, stanzaFor, uniqueId } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Durable delivery: retries (503 then 200, Retry-After), per-sender order, a receiver that
 * never answers, and a gateway restarted with deliveries pending (none lost).
 */
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let gateway: TestGateway;
let alice: XmppUser;

before(async () => {
  [prosody, database, receiver] = await Promise.all([
    startXmppServer({ users: { alice: 'alice-pw', bob: 'bob-pw' } }),
    createTestDatabase(),
    startReceiver(),
  ]);
  gateway = await startWebhookGateway(prosody, receiver.url, database.url);
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await receiver?.close();
  await prosody?.dispose();
  await database?.drop();
});

/** Answers 503 to the first `failures` POSTs of each case, then 200. */
function failFirst(failures: number, headers: Record<string, string> = {}) {
  const seen = new Map<string, number>();
  receiver.handle((request) => {
    const name = caseOf(request) ?? '';
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count <= failures ? { status: 503, headers } : { status: 200 };
  });
}

it('503 then 200: retried, delivered, nothing bounced, both attempts logged', async () => {
  failFirst(1);
  const id = uniqueId('retry');
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('message', id, id));
  const delivery = await outcome;
  assert.equal(delivery.status, 'delivered');
  assert.equal(delivery.attemptCount, 2);
  assert.equal(receiver.matching((r) => caseOf(r) === id).length, 2);
  await alice.expectNone((stanza) => stanza.attrs.id === id, 300);
  const attempts = await queryDatabase<{ httpStatus: number }>(
    database.url,
    'SELECT "httpStatus" FROM "DeliveryAttempt" WHERE "deliveryId" = $1 ORDER BY number',
    [delivery.id],
  );
  assert.deepEqual(
    attempts.map((a) => a.httpStatus),
    [503, 200],
  );
});

it('Retry-After is honoured', async () => {
  failFirst(1, { 'Retry-After': '1' });
  const id = uniqueId('after');
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('message', id, id));
  await outcome;
  const [first, second] = receiver.matching((r) => caseOf(r) === id);
  assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms`);
});

it("a sender's later message waits for an earlier one that is being retried; other senders do not", async () => {
  failFirst(2);
  const bob = await connectUser(prosody, 'bob', 'bob-pw', 'desk');
  try {
    const [first, second, bobs] = [uniqueId('order-a'), uniqueId('order-b'), uniqueId('order-bob')];
    const outcomes = [first, second, bobs].map((id) => finalDelivery(gateway, id));
    await alice.sendXml(stanzaFor('message', first, first));
    await alice.sendXml(stanzaFor('message', second, second));
    await bob.sendXml(stanzaFor('message', bobs, bobs));
    await Promise.all(outcomes);
    const order = receiver.requests.map(caseOf).filter((name) => name === first || name === second || name === bobs);
    assert.deepEqual(
      order.filter((name) => name !== bobs),
      [first, first, first, second, second, second],
    );
    assert.ok(order.indexOf(bobs) < order.lastIndexOf(first), "bob's message was not held behind alice's");
  } finally {
    await bob.stop();
  }
});

it('a receiver that never answers: each attempt times out, then recipient-unavailable once', async () => {
  receiver.handle(() => 'hang');
  const id = uniqueId('silent');
  const started = Date.now();
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('message', id, id));
  const delivery = await outcome;
  assert.equal(delivery.outcome, 'unreachable');
  assert.equal(delivery.attemptCount, 3);
  assert.ok(Date.now() - started < 5000, 'bounded by the timeout and the schedule');
  const bounce = await alice.waitFor((stanza) => stanza.attrs.id === id);
  assert.ok(bounce.getChild('error')?.getChild('recipient-unavailable'));
  const kinds = await queryDatabase<{ errorKind: string }>(
    database.url,
    'SELECT "errorKind" FROM "DeliveryAttempt" WHERE "deliveryId" = $1',
    [delivery.id],
  );
  assert.deepEqual(
    kinds.map((k) => k.errorKind),
    ['timeout', 'timeout', 'timeout'],
  );
});

it('a response cut mid-body is a transport failure: retried, then delivered', async () => {
  const id = uniqueId('cut');
  receiver.handle((request) =>
    caseOf(request) === id && receiver.matching((r) => caseOf(r) === id).length === 1 ? 'cut-body' : { status: 202 },
  );
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('message', id, id));
  const delivery = await outcome;
  assert.equal(delivery.status, 'delivered');
  const attempts = await queryDatabase<{ errorKind: string | null }>(
    database.url,
    'SELECT "errorKind" FROM "DeliveryAttempt" WHERE "deliveryId" = $1 ORDER BY number',
    [delivery.id],
  );
  assert.deepEqual(
    attempts.map((a) => a.errorKind),
    ['connect', null],
  );
});

it('a response body with NUL characters is still logged (Postgres text cannot hold them)', async () => {
  const id = uniqueId('nul');
  receiver.handle(() => ({ status: 202, body: 'queued\u0000\u0000done' }));
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('message', id, id));
  const delivery = await outcome;
  const [attempt] = await queryDatabase<{ responseExcerpt: string }>(
    database.url,
    'SELECT "responseExcerpt" FROM "DeliveryAttempt" WHERE "deliveryId" = $1',
    [delivery.id],
  );
  assert.equal(attempt?.responseExcerpt, 'queued\ufffd\ufffddone');
  assert.equal(gateway.app.webhooks!.status().database.lostLogRows, 0);
});

it('an iq gets one attempt only', async () => {
  receiver.handle(() => ({ status: 503 }));
  const id = uniqueId('iq-once');
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('iq', id, id));
  const delivery = await outcome;
  assert.equal(delivery.attemptCount, 1);
  assert.equal(receiver.matching((r) => caseOf(r) === id).length, 1);
});

it('a restart with deliveries pending: none lost, each delivered in order', async () => {
  // The receiver takes the first POST and never answers: the gateway is stopped mid-attempt,
  // with the two later messages waiting behind the first in alice's lane.
  await gateway.stop();
  receiver.handle(() => 'hang');
  gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    WEBHOOK_TIMEOUT_MS: '60000',
    SHUTDOWN_GRACE_MS: '200',
  });
  const ids = [1, 2, 3].map((n) => uniqueId(`restart-${n}`));
  for (const id of ids) await alice.sendXml(stanzaFor('message', id, id));
  await receiver.waitFor((r) => caseOf(r) === ids[0]);
  const pendingRows = async () =>
    (
      await queryDatabase<{ stanzaId: string }>(
        database.url,
        `SELECT "stanzaId" FROM "Delivery" WHERE status = 'pending' AND "stanzaId" = ANY($1)`,
        [ids],
      )
    ).length;
  await waitUntilAsync(async () => (await pendingRows()) >= 3, 5000, 'all three logged as pending');
  assert.equal(await pendingRows(), 3, 'all three are logged as pending');
  await gateway.stop();

  receiver.handle(() => ({ status: 200 }));
  const restartedAt = Date.now();
  gateway = await startWebhookGateway(prosody, receiver.url, database.url);
  for (const id of ids) await receiver.waitFor((r) => caseOf(r) === id && r.at >= restartedAt, 10_000);
  const statuses = async () =>
    queryDatabase<{ status: string }>(database.url, `SELECT status FROM "Delivery" WHERE "stanzaId" = ANY($1)`, [ids]);
  await waitUntilAsync(
    async () => (await statuses()).every((row) => row.status === 'delivered'),
    5000,
    'all three logged as delivered',
  );
  const final = await queryDatabase<{ stanzaId: string; status: string }>(
    database.url,
    `SELECT "stanzaId", status FROM "Delivery" WHERE "stanzaId" = ANY($1) ORDER BY "createdAt", id`,
    [ids],
  );
  assert.deepEqual(
    final,
    ids.map((stanzaId) => ({ stanzaId, status: 'delivered' })),
  );
  // At least once: the first, cut off mid-attempt, is POSTed again; then in order, once each.
  const resent = receiver.requests.filter((r) => r.at >= restartedAt).map(caseOf);
  assert.deepEqual(
    resent.filter((name) => ids.includes(name ?? '')),
    ids,
  );
  const aborted = await queryDatabase<{ errorKind: string }>(
    database.url,
    'SELECT a."errorKind" FROM "DeliveryAttempt" a JOIN "Delivery" d ON d.id = a."deliveryId" ' +
      'WHERE d."stanzaId" = $1 ORDER BY a.number',
    [ids[0]],
  );
  assert.deepEqual(
    aborted.map((a) => a.errorKind),
    ['aborted', null],
  );
});
