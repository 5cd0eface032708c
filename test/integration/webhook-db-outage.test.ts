import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestGateway } from '../support/gateway.ts';
import { freePort } from '../support/ports.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { startProsody, type Prosody } from '../support/prosody.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { caseOf, finalDelivery, stanzaFor, uniqueId } from '../support/webhook-cases.ts';
import { tcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Postgres unreachable (a TCP proxy of this test in front of the real server is cut, never
 * the server itself): stanzas are still delivered, status says so, and the log catches up by
 * itself when the database is back. Also a start with the database already unreachable.
 */
let prosody: Prosody;
let database: TestDatabase;
let receiver: Receiver;
let proxy: TcpProxy;
let gateway: TestGateway;
let alice: XmppUser;

before(async () => {
  [prosody, database, receiver] = await Promise.all([startProsody({ users: { alice: 'a-pw' } }), createTestDatabase(), startReceiver()]);
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

const viaProxy = () => {
  const url = new URL(database.url);
  url.port = String(proxy.port);
  return url.toString();
};

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function send(): Promise<string> {
  const id = uniqueId('outage');
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanzaFor('message', id, id));
  assert.equal((await outcome).status, 'delivered');
  return id;
}

const loggedStatuses = async (ids: string[]) =>
  (await queryDatabase<{ status: string }>(database.url, `SELECT status FROM "Delivery" WHERE "stanzaId" = ANY($1)`, [ids])).map((row) => row.status);

it('starts with the database unreachable, delivers anyway, and logs everything once it is back', async () => {
  gateway = await startWebhookGateway(prosody, receiver.url, viaProxy());
  const status = () => gateway.app.webhooks!.status();
  assert.equal(status().database.state, 'down');
  const ids = [await send(), await send()];
  for (const id of ids) assert.ok(receiver.requests.some((r) => caseOf(r) === id));
  assert.ok(status().database.bufferedWrites > 0);
  await assert.rejects(gateway.app.webhooks!.log.list({}), { kind: 'database-unavailable' });

  await proxy.start();
  await until(() => status().database.state === 'up' && status().database.bufferedWrites === 0);
  assert.deepEqual(await loggedStatuses(ids), ['delivered', 'delivered']);
  assert.equal(status().database.lostLogRows, 0);
});

it('loses the database while running: still delivers, then catches up when it returns', async () => {
  const status = () => gateway.app.webhooks!.status();
  const before = await send();
  await until(async () => (await loggedStatuses([before])).includes('delivered'));

  await proxy.stop();
  // The outage is noticed on the next write.
  const during = [await send(), await send(), await send()];
  for (const id of during) assert.ok(receiver.requests.some((r) => caseOf(r) === id));
  await until(() => status().database.state === 'down');

  await proxy.start();
  await until(() => status().database.state === 'up' && status().database.bufferedWrites === 0);
  assert.deepEqual(await loggedStatuses(during), ['delivered', 'delivered', 'delivered']);
  const attempts = await queryDatabase<{ n: string }>(
    database.url,
    `SELECT count(*) AS n FROM "DeliveryAttempt" a JOIN "Delivery" d ON d.id = a."deliveryId" WHERE d."stanzaId" = ANY($1)`,
    [during],
  );
  assert.equal(Number(attempts[0]?.n), 3);
  assert.equal(status().database.lostLogRows, 0);
});

it('an outage longer than the buffer: the loss is counted in status, deliveries still go out', async () => {
  await gateway.stop();
  gateway = await startWebhookGateway(prosody, receiver.url, viaProxy(), { DELIVERY_LOG_BUFFER_MAX: '2' });
  await proxy.stop();
  const ids = [await send(), await send()];
  for (const id of ids) assert.ok(receiver.requests.some((r) => caseOf(r) === id));
  const { database: db } = gateway.app.webhooks!.status();
  assert.equal(db.state, 'down');
  assert.ok(db.lostLogRows > 0, `lost ${db.lostLogRows}`);
  await proxy.start();
  await until(() => gateway.app.webhooks!.status().database.state === 'up');
});
