import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestGateway } from '../support/gateway.ts';
import { freePort } from '../support/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { tcpProxy, type TcpProxy, viaProxy } from '../support/tcp-proxy.ts';
import { waitUntil, waitUntilAsync } from '../support/wait.ts';
import { caseOf, finalDelivery, stanzaFor, uniqueId } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Operations of the webhook face (issue #5): its metrics on /metrics move with real deliveries,
 * and /readyz reports the delivery log's database, flipping when Postgres is cut (a TCP proxy of
 * this file in front of the machine's server; the server itself is never touched).
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
  await proxy.start();
  gateway = await startWebhookGateway(prosody, receiver.url, viaProxy(database.url, proxy));
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

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const response = await fetch(`${gateway.url}${path}`, { headers });
  return { status: response.status, body: await response.text() };
}

/** The value of one series, e.g. `stanza_gateway_webhook_deliveries_total{outcome="accepted"}`. */
async function metric(series: string): Promise<number | undefined> {
  const line = (await get('/metrics')).body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('/metrics: webhook and delivery-log series are there, and move with deliveries', async () => {
  const { body } = await get('/metrics');
  for (const name of [
    'webhook_deliveries_total',
    'webhook_delivery_seconds',
    'webhook_retries_total',
    'webhook_in_memory',
    'webhook_in_flight',
    'webhook_retry_backlog',
    'webhook_spilled',
    'webhook_oldest_pending_seconds',
    'delivery_log_up',
    'delivery_log_buffered_writes',
    'delivery_log_lost_rows',
  ]) {
    assert.match(body, new RegExp(`^# TYPE stanza_gateway_${name} `, 'm'), name);
  }
  assert.equal(await metric('stanza_gateway_delivery_log_up'), 1);

  const ok = uniqueId('metrics-ok');
  const outcome = finalDelivery(gateway, ok);
  await alice.sendXml(stanzaFor('message', ok, ok));
  await outcome;
  assert.equal(await metric('stanza_gateway_webhook_deliveries_total{outcome="accepted"}'), 1);
  assert.equal(await metric('stanza_gateway_webhook_delivery_seconds_count{outcome="accepted"}'), 1);

  // A 503 with Retry-After: the delivery waits for its retry, in memory, getting older.
  const retried = uniqueId('metrics-retry');
  receiver.handle((request) =>
    caseOf(request) === retried && receiver.matching((r) => caseOf(r) === retried).length === 1
      ? { status: 503, headers: { 'Retry-After': '1' } }
      : { status: 202 },
  );
  const second = finalDelivery(gateway, retried);
  await alice.sendXml(stanzaFor('message', retried, retried));
  await receiver.waitFor((r) => caseOf(r) === retried);
  await waitUntil(() => gateway.app.webhooks!.status().deliveries.retryWaiting === 1, 2000, 'the retry wait');
  assert.equal(await metric('stanza_gateway_webhook_retry_backlog'), 1);
  assert.equal(await metric('stanza_gateway_webhook_in_memory'), 1);
  assert.equal(await metric('stanza_gateway_webhook_retries_total'), 1);
  assert.ok((await metric('stanza_gateway_webhook_oldest_pending_seconds'))! > 0);
  await second;
  assert.equal(await metric('stanza_gateway_webhook_deliveries_total{outcome="accepted"}'), 2);
  assert.equal(await metric('stanza_gateway_webhook_retry_backlog'), 0);
  assert.equal(await metric('stanza_gateway_webhook_oldest_pending_seconds'), 0);
  receiver.handle(() => ({ status: 202 }));
});

it('/readyz: the database check flips when Postgres is cut and recovers when it is back', async () => {
  const ready = await get('/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(JSON.parse(ready.body), { status: 'ready', role: 'single', checks: { xmpp: 'ok', database: 'ok' } });

  await proxy.stop();
  // No traffic needed: the check itself goes to the database.
  const down = await get('/readyz', { Authorization: `Bearer ${gateway.token}` });
  assert.equal(down.status, 503);
  const body = JSON.parse(down.body) as { checks: { xmpp: string; database: string } };
  assert.equal(body.checks.xmpp, 'ok');
  assert.match(body.checks.database, /^delivery log database down: /);
  // The reason (a connection error naming host and port) only with a token.
  assert.deepEqual(JSON.parse((await get('/readyz')).body), {
    status: 'not ready',
    role: 'single',
    checks: { xmpp: 'ok', database: 'failing' },
  });
  assert.equal(await metric('stanza_gateway_delivery_log_up'), 0);

  await proxy.start();
  await waitUntilAsync(async () => (await get('/readyz')).status === 200, 15_000, 'ready again', 100);
  assert.equal(await metric('stanza_gateway_delivery_log_up'), 1);
});
