import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestGateway } from '../support/gateway.ts';
import { freePort } from '../support/ports.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { caseOf, finalDelivery, stanzaFor, uniqueId } from '../support/webhook-cases.ts';
import { tcpProxy, type TcpProxy, viaProxy } from '../support/tcp-proxy.ts';
import { waitUntilAsync } from '../support/wait.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Postgres unreachable (a TCP proxy of this test in front of the real server is cut, never
 * the server itself): stanzas are still delivered, status says so, and the log catches up by
 * itself when the database is back. Also a start with the database already unreachable, and
 * one where the database answers but a migration fails (start fails: no outage to wait out).
 */
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let proxy: TcpProxy;
let gateway: TestGateway;
let alice: XmppUser;

before(async () => {
  [prosody, database, receiver] = await Promise.all([
    startXmppServer({ users: { alice: 'a-pw' } }),
    createTestDatabase(),
    startReceiver(),
  ]);
  proxy = tcpProxy(await freePort(), { host: '127.0.0.1', port: 5432 });
  alice = await connectUser(prosody, 'alice', 'a-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await proxy?.stop();
  await receiver?.close();
  await prosody?.dispose();
  await database?.drop();
});

const proxied = () => viaProxy(database.url, proxy);

/** The log's recovery backs off up to 10 s: allow for a retry or two. */
const RECOVERY_MS = 15_000;

async function send(): Promise<string> {
  const id = uniqueId('outage');
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('message', id, id));
  assert.equal((await outcome).status, 'delivered');
  return id;
}

const loggedStatuses = async (ids: string[]) =>
  (
    await queryDatabase<{ status: string }>(database.url, `SELECT status FROM "Delivery" WHERE "stanzaId" = ANY($1)`, [
      ids,
    ])
  ).map((row) => row.status);

it('starts with the database unreachable, delivers anyway, and logs everything once it is back', async () => {
  gateway = await startWebhookGateway(prosody, receiver.url, proxied());
  const status = () => gateway.app.webhooks!.status();
  assert.equal(status().database.state, 'down');
  const ids = [await send(), await send()];
  for (const id of ids) assert.ok(receiver.requests.some((r) => caseOf(r) === id));
  assert.ok(status().database.bufferedWrites > 0);
  await assert.rejects(gateway.app.webhooks!.log.list({}), { kind: 'database-unavailable' });

  await proxy.start();
  await waitUntilAsync(
    () => status().database.state === 'up' && status().database.bufferedWrites === 0,
    RECOVERY_MS,
    'the log to catch up',
  );
  assert.deepEqual(await loggedStatuses(ids), ['delivered', 'delivered']);
  assert.equal(status().database.lostLogRows, 0);
});

it('loses the database while running: still delivers, then catches up when it returns', async () => {
  const status = () => gateway.app.webhooks!.status();
  const before = await send();
  await waitUntilAsync(
    async () => (await loggedStatuses([before])).includes('delivered'),
    RECOVERY_MS,
    'the first delivery logged',
  );

  await proxy.stop();
  // The outage is noticed on the next write.
  const during = [await send(), await send(), await send()];
  for (const id of during) assert.ok(receiver.requests.some((r) => caseOf(r) === id));
  await waitUntilAsync(() => status().database.state === 'down', RECOVERY_MS, 'the outage to be noticed');

  await proxy.start();
  await waitUntilAsync(
    () => status().database.state === 'up' && status().database.bufferedWrites === 0,
    RECOVERY_MS,
    'the log to catch up',
  );
  assert.deepEqual(await loggedStatuses(during), ['delivered', 'delivered', 'delivered']);
  const attempts = await queryDatabase<{ n: string }>(
    database.url,
    'SELECT count(*) AS n FROM "DeliveryAttempt" a JOIN "Delivery" d ON d.id = a."deliveryId" ' +
      'WHERE d."stanzaId" = ANY($1)',
    [during],
  );
  assert.equal(Number(attempts[0]?.n), 3);
  assert.equal(status().database.lostLogRows, 0);
});

it('an outage longer than the buffer: the loss is counted in status, deliveries still go out', async () => {
  await gateway.stop();
  gateway = await startWebhookGateway(prosody, receiver.url, proxied(), { DELIVERY_LOG_BUFFER_MAX: '2' });
  await proxy.stop();
  const ids = [await send(), await send()];
  for (const id of ids) assert.ok(receiver.requests.some((r) => caseOf(r) === id));
  const { database: db } = gateway.app.webhooks!.status();
  assert.equal(db.state, 'down');
  assert.ok(db.lostLogRows > 0, `lost ${db.lostLogRows}`);
  await proxy.start();
  await waitUntilAsync(
    () => gateway.app.webhooks!.status().database.state === 'up',
    RECOVERY_MS,
    'the database to be back',
  );
});

it('a migration that fails on Postgres is no outage: start fails, saying why', async () => {
  // A table in the way of the first migration: the database answers, and refuses the schema.
  const blocked = await createTestDatabase();
  try {
    await queryDatabase(blocked.url, 'CREATE TABLE "Delivery" ("id" INTEGER)');
    await assert.rejects(
      startWebhookGateway(prosody, receiver.url, blocked.url),
      /^Error: cannot migrate the delivery log database: migration \w+ failed \(rolled back\): .*"Delivery"/,
    );
    const [row] = await queryDatabase<{ finished_at: Date | null }>(
      blocked.url,
      'SELECT finished_at FROM "_prisma_migrations"',
    );
    assert.equal(row?.finished_at, null, 'recorded as failed, so the next start refuses too');
    await assert.rejects(startWebhookGateway(prosody, receiver.url, blocked.url), /failed earlier and is not resolved/);
  } finally {
    await blocked.drop();
  }
});
