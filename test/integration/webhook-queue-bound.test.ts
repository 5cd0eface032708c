import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestGateway } from '../support/gateway.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { waitUntil, waitUntilAsync } from '../support/wait.ts';
import { caseOf, stanzaFor, uniqueId } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * WEBHOOK_QUEUE_MAX: with a receiver that does not answer, no more than the bound is held in
 * memory; what arrives past it waits as pending rows in the log and an iq is refused at once
 * (wait/resource-constraint). When the receiver answers again, every message is delivered,
 * once, in each sender's order.
 */
const QUEUE_MAX = 3;
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let gateway: TestGateway;
let alice: XmppUser;
let bob: XmppUser;

before(async () => {
  [prosody, database, receiver] = await Promise.all([
    startXmppServer({ users: { alice: 'a-pw', bob: 'b-pw' } }),
    createTestDatabase(),
    startReceiver(),
  ]);
  gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    WEBHOOK_QUEUE_MAX: String(QUEUE_MAX),
    WEBHOOK_TIMEOUT_MS: '10000',
    SHUTDOWN_GRACE_MS: '200',
  });
  alice = await connectUser(prosody, 'alice', 'a-pw', 'phone');
  bob = await connectUser(prosody, 'bob', 'b-pw', 'desk');
});

after(async () => {
  await alice?.stop();
  await bob?.stop();
  await gateway?.stop();
  await receiver?.close();
  await prosody?.dispose();
  await database?.drop();
});

it('past the bound: messages wait in the log, an iq is refused at once; then all are delivered in order', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  receiver.handle(() => released.then(() => ({ status: 202 })));
  const deliveries = () => gateway.app.webhooks!.status().deliveries;
  let mostInMemory = 0;
  const sampler = setInterval(() => (mostInMemory = Math.max(mostInMemory, deliveries().active)), 5);
  const sent: { from: 'alice' | 'bob'; id: string }[] = [];
  for (let i = 0; i < 12; i += 1) {
    const from = i % 3 === 2 ? 'bob' : 'alice';
    const id = uniqueId(`bound-${from}-${i}`);
    sent.push({ from, id });
    await (from === 'alice' ? alice : bob).sendXml(stanzaFor('message', id, id));
  }
  const ids = sent.map((s) => s.id);
  const pending = async () =>
    Number(
      (
        await queryDatabase<{ n: string }>(
          database.url,
          `SELECT count(*) AS n FROM "Delivery" WHERE status = 'pending' AND "stanzaId" = ANY($1)`,
          [ids],
        )
      )[0]?.n,
    );
  await waitUntilAsync(async () => (await pending()) >= ids.length, 5000, 'every message logged pending');
  assert.equal(await pending(), ids.length, 'every message is logged pending');
  assert.ok(deliveries().spilled > 0, `spilled: ${deliveries().spilled}`);

  const iqId = uniqueId('bound-iq');
  await alice.sendXml(stanzaFor('iq', iqId, iqId));
  const refused = await alice.waitFor((stanza) => stanza.attrs.id === iqId, 2000);
  assert.equal(refused.attrs.type, 'error');
  assert.equal(refused.getChild('error')?.attrs.type, 'wait');
  assert.ok(refused.getChild('error')?.getChild('resource-constraint'), refused.toString());

  release();
  await waitUntil(
    () => ids.every((id) => receiver.requests.some((r) => caseOf(r) === id)),
    10_000,
    'every message POSTed',
  );
  clearInterval(sampler);
  assert.ok(mostInMemory <= QUEUE_MAX, `at most ${QUEUE_MAX} in memory (saw ${mostInMemory})`);
  const posted = receiver.requests.map(caseOf).filter((name) => ids.includes(name ?? ''));
  assert.equal(posted.length, ids.length, 'each once');
  for (const who of ['alice', 'bob'] as const) {
    const theirs = sent.filter((s) => s.from === who).map((s) => s.id);
    assert.deepEqual(
      posted.filter((name) => theirs.includes(name!)),
      theirs,
      `${who}'s order`,
    );
  }
  await waitUntil(() => deliveries().active === 0 && deliveries().spilled === 0, 5000, 'the backlog to empty');
  await waitUntil(() => gateway.app.webhooks!.status().database.bufferedWrites === 0, 5000, 'the log to catch up');
  assert.deepEqual(
    await queryDatabase(database.url, `SELECT status, outcome FROM "Delivery" WHERE "stanzaId" = $1`, [iqId]),
    [{ status: 'failed', outcome: 'rejected' }],
  );
  assert.equal(await pending(), 0);
});

it('the bound applies to redeliveries too: a redelivered iq past it is refused with webhook-queue-full', async () => {
  const id = uniqueId('bound-redeliver');
  receiver.handle(() => ({ status: 202 }));
  await alice.sendXml(stanzaFor('iq', id, id));
  await alice.waitFor((stanza) => stanza.attrs.id === id && stanza.attrs.type === 'result');
  await waitUntil(() => gateway.app.webhooks!.status().database.bufferedWrites === 0, 5000, 'the log to catch up');
  const [row] = await queryDatabase<{ id: string }>(database.url, `SELECT id FROM "Delivery" WHERE "stanzaId" = $1`, [
    id,
  ]);
  receiver.handle(() => 'hang');
  const holders = [0, 1, 2].map((i) => uniqueId(`bound-hold-${i}`));
  for (const [i, hold] of holders.entries()) await (i === 0 ? alice : bob).sendXml(stanzaFor('message', hold, hold));
  await waitUntil(() => gateway.app.webhooks!.status().deliveries.active >= QUEUE_MAX, 5000, 'memory to fill');
  await assert.rejects(gateway.app.webhooks!.log.redeliver(row!.id), { kind: 'webhook-queue-full' });
});
