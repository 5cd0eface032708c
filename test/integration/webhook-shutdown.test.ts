import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process.ts';
import type { TestGateway } from '../support/gateway.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { waitUntil, waitUntilAsync } from '../support/wait.ts';
import { caseOf, stanzaFor, uniqueId } from '../support/webhook-cases.ts';
import { FAST_WEBHOOK_ENV, startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Graceful shutdown with deliveries in flight (issue #5): SIGTERM to a real gateway process lets
 * the attempt in flight finish within SHUTDOWN_GRACE_MS and leaves the rest pending; a restart on
 * the same database delivers them, in order, and none twice. When the grace period runs out
 * first, the attempt is logged `aborted` and made again after the restart.
 */
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let alice: XmppUser;
let restarted: TestGateway | undefined;

before(async () => {
  [prosody, database, receiver] = await Promise.all([
    startXmppServer({ users: { alice: 'a-pw' } }),
    createTestDatabase(),
    startReceiver(),
  ]);
  alice = await connectUser(prosody, 'alice', 'a-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await restarted?.stop();
  await receiver?.close();
  await prosody?.dispose();
  await database?.drop();
});

type Row = { stanzaId: string; status: string; attempts: string[] };
async function rows(ids: string[]): Promise<Row[]> {
  return queryDatabase<Row>(
    database.url,
    `SELECT d."stanzaId", d.status::text AS status,
       coalesce(array_agg(coalesce(a."errorKind", a."httpStatus"::text) ORDER BY a.number)
         FILTER (WHERE a.number IS NOT NULL), '{}') AS attempts
     FROM "Delivery" d LEFT JOIN "DeliveryAttempt" a ON a."deliveryId" = d.id
     WHERE d."stanzaId" = ANY($1) GROUP BY d.id ORDER BY d."createdAt", d.id`,
    [ids],
  );
}

async function restartAndDeliver(ids: string[]): Promise<void> {
  receiver.handle(() => ({ status: 202 }));
  const restartedAt = Date.now();
  restarted = await startWebhookGateway(prosody, receiver.url, database.url);
  await waitUntil(
    () => ids.every((id) => receiver.requests.some((r) => caseOf(r) === id && r.at >= restartedAt)),
    10_000,
    'the redeliveries',
  );
  const resent = receiver.requests
    .filter((r) => r.at >= restartedAt)
    .map(caseOf)
    .filter((name) => ids.includes(name ?? ''));
  assert.deepEqual(resent, ids, 'after the restart: each once, in order');
  await waitUntilAsync(
    async () => (await rows(ids)).every((row) => row.status === 'delivered'),
    5000,
    'the redeliveries to be logged delivered',
  );
  await restarted.stop();
  restarted = undefined;
}

it('SIGTERM: the attempt in flight finishes, the rest stays pending, exit 0; a restart delivers it', async () => {
  const [first, second, third, late] = ['first', 'second', 'third', 'late'].map((name) => uniqueId(`term-${name}`)) as [
    string,
    string,
    string,
    string,
  ];
  // The first POST takes 600 ms to answer: SIGTERM comes while it is in flight.
  receiver.handle((request) =>
    caseOf(request) === first
      ? new Promise((resolve) => setTimeout(() => resolve({ status: 202 }), 600))
      : { status: 202 },
  );
  const gateway: GatewayProcess = await startGatewayProcess({
    ...FAST_WEBHOOK_ENV,
    XMPP_SERVICE: prosody.componentService,
    XMPP_DOMAIN: prosody.componentDomain,
    XMPP_SECRET: prosody.componentSecret,
    CALLBACK_URL: receiver.url,
    DATABASE_URL: database.url,
    WEBHOOK_TIMEOUT_MS: '5000',
    SHUTDOWN_GRACE_MS: '5000',
  });
  try {
    for (const id of [first, second, third]) await alice.sendXml(stanzaFor('message', id, id));
    await receiver.waitFor((r) => caseOf(r) === first);
    const signalledAt = Date.now();
    gateway.signal('SIGTERM');
    // While it drains, the link is still up: a message is logged pending, an iq refused at once.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await alice.sendXml(stanzaFor('message', late, late));
    const iqId = uniqueId('term-iq');
    await alice.sendXml(stanzaFor('iq', iqId, iqId));
    const refused = await alice.waitFor((stanza) => stanza.attrs.id === iqId, 3000);
    assert.equal(refused.attrs.type, 'error');
    assert.ok(refused.getChild('error')?.getChild('service-unavailable'), refused.toString());
    assert.equal(await gateway.exited, 0);
    assert.ok(Date.now() - signalledAt >= 400, 'it waited for the attempt in flight');
  } finally {
    await gateway.stop();
  }
  assert.deepEqual(
    receiver.requests.map(caseOf).filter((name) => [second, third, late].includes(name ?? '')),
    [],
    'nothing new was POSTed while stopping',
  );
  assert.deepEqual(await rows([first, second, third, late]), [
    { stanzaId: first, status: 'delivered', attempts: ['202'] },
    { stanzaId: second, status: 'pending', attempts: [] },
    { stanzaId: third, status: 'pending', attempts: [] },
    { stanzaId: late, status: 'pending', attempts: [] },
  ]);
  await restartAndDeliver([second, third, late]);
  assert.equal(receiver.matching((r) => caseOf(r) === first).length, 1, 'the finished one is not POSTed again');
  assert.deepEqual(
    (await rows([second, third, late])).map((row) => row.status),
    ['delivered', 'delivered', 'delivered'],
  );
});

it('the grace period runs out: the attempt in flight is logged aborted and made again after a restart', async () => {
  const [stuck, behind] = [uniqueId('grace-stuck'), uniqueId('grace-behind')];
  receiver.handle((request) => (caseOf(request) === stuck ? 'hang' : { status: 202 }));
  const gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    WEBHOOK_TIMEOUT_MS: '60000',
    SHUTDOWN_GRACE_MS: '300',
  });
  await alice.sendXml(stanzaFor('message', stuck, stuck));
  await alice.sendXml(stanzaFor('message', behind, behind));
  await receiver.waitFor((r) => caseOf(r) === stuck);
  const started = Date.now();
  await gateway.stop();
  assert.ok(Date.now() - started < 3000, `stopped in ${Date.now() - started} ms`);
  assert.deepEqual(await rows([stuck, behind]), [
    { stanzaId: stuck, status: 'pending', attempts: ['aborted'] },
    { stanzaId: behind, status: 'pending', attempts: [] },
  ]);
  await restartAndDeliver([stuck, behind]);
  assert.deepEqual(await rows([stuck, behind]), [
    { stanzaId: stuck, status: 'delivered', attempts: ['aborted', '202'] },
    { stanzaId: behind, status: 'delivered', attempts: ['202'] },
  ]);
});

it('an iq whose attempt is cut by the stop is answered then, not left for a restart', async () => {
  const stuck = uniqueId('grace-iq');
  receiver.handle((request) => (caseOf(request) === stuck ? 'hang' : { status: 202 }));
  const gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    WEBHOOK_TIMEOUT_MS: '60000',
    SHUTDOWN_GRACE_MS: '300',
  });
  await alice.sendXml(stanzaFor('iq', stuck, stuck));
  await receiver.waitFor((r) => caseOf(r) === stuck);
  // Asked twice at once (a signal and a teardown): one stop, no error.
  await Promise.all([gateway.stop(), gateway.stop()]);
  const answer = await alice.waitFor((stanza) => stanza.attrs.id === stuck, 3000);
  assert.equal(answer.attrs.type, 'error');
  const error = answer.getChild('error')!;
  assert.equal(error.attrs.type, 'wait');
  assert.ok(error.getChild('service-unavailable', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
  assert.deepEqual(await rows([stuck]), [{ stanzaId: stuck, status: 'failed', attempts: ['aborted'] }]);
});
