import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { DeliveryRecord } from '../../src/db/records.ts';
import type { TestGateway } from './gateway.ts';
import { startXmppServer, type XmppServer } from './xmpp-server.ts';
import { type ReceivedRequest, startReceiver, type Receiver } from './receiver.ts';
import { waitUntil } from './wait.ts';
import { caseOf, finalDelivery, stanzaFor, uniqueId } from './webhook-cases.ts';
import { startWebhookGateway } from './webhook-gateway.ts';
import { connectUser, type XmppUser } from './xmpp-user.ts';

/**
 * The delivery-log service API that GraphQL wires up (list with Relay cursors and filters,
 * get with attempts, redeliver, live events), run once on real Postgres and once on the
 * embedded default, through a real gateway.
 */
/** Signed, so that a redelivery's POST can be told from the original's by its webhook-id. */
const SECRET = 'whsec_' + Buffer.from('delivery-log-suite-secret').toString('base64');

export function deliveryLogSuite(database: () => Promise<{ url: string | undefined; drop(): Promise<void> }>): void {
  let prosody: XmppServer;
  let receiver: Receiver;
  let gateway: TestGateway;
  let alice: XmppUser;
  let bob: XmppUser;
  let dropDatabase: () => Promise<void> = async () => {};
  let databaseUrl: string | undefined;
  // The embedded database's directory, kept across the restart below and removed at the end.
  let dataDir: string | undefined;
  const start = () =>
    startWebhookGateway(prosody, receiver.url, databaseUrl, {
      WEBHOOK_SECRET: SECRET,
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
    });
  const sent: { id: string; from: string; kind: 'message' | 'presence' }[] = [];

  before(async () => {
    const [started, db, hook] = await Promise.all([
      startXmppServer({ users: { alice: 'a-pw', bob: 'b-pw' } }),
      database(),
      startReceiver(),
    ]);
    prosody = started;
    receiver = hook;
    dropDatabase = () => db.drop();
    receiver.handle((request) => (caseOf(request)?.startsWith('fail') ? { status: 404 } : { status: 202 }));
    databaseUrl = db.url;
    if (!databaseUrl) dataDir = await mkdtemp(join(tmpdir(), 'sg-data-'));
    gateway = await start();
    alice = await connectUser(prosody, 'alice', 'a-pw', 'phone');
    bob = await connectUser(prosody, 'bob', 'b-pw', 'desk');
    // Seven deliveries: alice 4 messages (one failing) + 1 presence, bob 2 messages.
    const plan: [XmppUser, 'message' | 'presence', string][] = [
      [alice, 'message', 'ok'],
      [alice, 'message', 'fail'],
      [bob, 'message', 'ok'],
      [alice, 'presence', 'ok'],
      [alice, 'message', 'ok'],
      [bob, 'message', 'ok'],
      [alice, 'message', 'ok'],
    ];
    for (const [user, kind, name] of plan) {
      const id = uniqueId(name);
      const outcome = finalDelivery(gateway, id);
      await user.sendXml(stanzaFor(kind, name, id));
      await outcome;
      sent.push({ id, from: user.jid, kind });
    }
  });

  after(async () => {
    await alice?.stop();
    await bob?.stop();
    await gateway?.stop();
    await receiver?.close();
    await prosody?.dispose();
    await dropDatabase();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const log = () => gateway.app.webhooks!.log;
  const ours = (records: DeliveryRecord[]) => records.filter((record) => sent.some((s) => s.id === record.stanzaId));

  it('list: newest first, pages of `first` linked by stable cursors that survive new rows', async () => {
    const all = ours((await log().list({ first: 100 })).edges.map((edge) => edge.node));
    assert.deepEqual(
      all.map((record) => record.stanzaId),
      sent.map((s) => s.id).reverse(),
    );
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await log().list({ first: 3, after });
      pages += 1;
      seen.push(...page.edges.map((edge) => edge.node.stanzaId));
      assert.equal(page.pageInfo.endCursor, page.edges.at(-1)?.cursor ?? null);
      if (pages === 1) {
        // A delivery arriving between pages must not shift the next ones.
        const id = uniqueId('late');
        const outcome = finalDelivery(gateway, id);
        await alice.sendXml(stanzaFor('message', 'ok', id));
        await outcome;
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    assert.deepEqual(
      seen.filter((id) => sent.some((s) => s.id === id)),
      sent.map((s) => s.id).reverse(),
    );
    assert.ok(pages >= 3);
  });

  it('list: a cursor that is not one is refused', async () => {
    await assert.rejects(log().list({ after: 'bm90LWEtY3Vyc29y' }), { kind: 'bad-cursor' });
  });

  it('list: filters by status, kind, sender (bare or full JID) and time', async () => {
    const failed = ours((await log().list({ filter: { status: 'failed' } })).edges.map((e) => e.node));
    assert.deepEqual(
      failed.map((r) => r.stanzaId),
      [sent[1]!.id],
    );
    const presences = ours((await log().list({ filter: { kind: 'presence' } })).edges.map((e) => e.node));
    assert.deepEqual(
      presences.map((r) => r.stanzaId),
      [sent[3]!.id],
    );
    const bobs = ours((await log().list({ filter: { from: 'BOB@localhost' } })).edges.map((e) => e.node));
    assert.deepEqual(
      bobs.map((r) => r.stanzaId),
      [sent[5]!.id, sent[2]!.id],
    );
    const full = ours((await log().list({ filter: { from: 'bob@localhost/desk' } })).edges.map((e) => e.node));
    assert.equal(full.length, 2);
    assert.equal(
      ours((await log().list({ filter: { from: 'bob@localhost/other' } })).edges.map((e) => e.node)).length,
      0,
    );
    const third = (await log().list({ first: 100, filter: { from: 'alice@localhost' } })).edges
      .map((e) => e.node)
      .find((r) => r.stanzaId === sent[3]!.id)!;
    const since = ours((await log().list({ first: 100, filter: { since: third.createdAt } })).edges.map((e) => e.node));
    assert.ok(since.every((r) => r.createdAt >= third.createdAt) && since.some((r) => r.stanzaId === sent[3]!.id));
    const until = ours((await log().list({ first: 100, filter: { until: third.createdAt } })).edges.map((e) => e.node));
    assert.ok(until.every((r) => r.createdAt < third.createdAt) && !until.some((r) => r.stanzaId === sent[3]!.id));
  });

  it('get: one delivery with its attempts; undefined for an unknown id', async () => {
    const [record] = ours((await log().list({ filter: { status: 'failed' } })).edges.map((e) => e.node));
    const found = await log().get(record!.id);
    assert.equal(found?.outcome, 'http-error');
    assert.equal(found?.attempts.length, 1);
    assert.equal(found?.attempts[0]?.httpStatus, 404);
    assert.equal(await log().get('00000000-0000-7000-8000-000000000000'), undefined);
    assert.equal(await log().get('not-a-uuid'), undefined);
  });

  it('redeliver: POSTs the logged stanza again as a new delivery; live events report it', async () => {
    const original = sent[0]!;
    const [record] = ours((await log().list({ first: 100 })).edges.map((e) => e.node)).filter(
      (r) => r.stanzaId === original.id,
    );
    const events = log().subscribe({ from: 'alice@localhost' });
    const ofOriginal = (r: ReceivedRequest) => r.body.includes(`id='${original.id}'`);
    const posts = receiver.matching(ofOriginal).length;
    assert.equal(posts, 1);
    const again = await log().redeliver(record!.id);
    assert.equal(again.redeliveryOf, record!.id);
    assert.notEqual(again.id, record!.id);
    const seen: string[] = [];
    for await (const event of events) {
      if (event.delivery.id !== again.id) continue;
      seen.push(event.delivery.status);
      if (event.delivery.status !== 'pending') break;
    }
    assert.deepEqual(seen, ['pending', 'delivered']);
    await waitUntil(() => receiver.matching(ofOriginal).length > posts, 5000, 'the redelivered POST');
    const requests = receiver.matching(ofOriginal);
    assert.equal(requests.length, posts + 1, 'POSTed once more');
    assert.equal(requests[0]!.headers['webhook-id'], record!.id);
    const request = requests.at(-1)!;
    assert.equal(request.headers['webhook-id'], again.id, 'the new delivery, not the original');
    assert.equal(request.body, record!.xml);
    await assert.rejects(log().redeliver('00000000-0000-7000-8000-000000000000'), { kind: 'unknown-delivery' });
  });

  it('subscribe: return() ends a pending next() at once', async () => {
    const events = log().subscribe();
    const next = events.next();
    await events.return!();
    assert.deepEqual(await next, { value: undefined, done: true });
  });

  it('restart: a new gateway on the same database has every delivery, its status and its attempts', async () => {
    const settled = gateway.app.webhooks!;
    await waitUntil(() => settled.status().database.bufferedWrites === 0, 5000, 'the log to catch up');
    const snapshot = async () =>
      Promise.all(
        ours((await log().list({ first: 100 })).edges.map((edge) => edge.node)).map(async (record) => ({
          ...record,
          attempts: (await log().get(record.id))?.attempts.map((attempt) => attempt.httpStatus),
        })),
      );
    const before = await snapshot();
    assert.ok(before.length >= sent.length);
    await gateway.stop();
    gateway = await start();
    assert.deepEqual(await snapshot(), before);
  });

  it('retention: pruning removes finished deliveries older than the cutoff, never pending ones', async () => {
    // DELIVERY_RETENTION_DAYS defaults to 30: run the pass as if it were 31 days later.
    const webhooks = gateway.app.webhooks!;
    // Final updates are written behind the events: let the writer catch up first.
    await waitUntil(() => webhooks.status().database.bufferedWrites === 0, 5000, 'the log to catch up');
    assert.equal(await webhooks.prune(new Date()), 0, 'nothing is old enough yet');
    const removed = await webhooks.prune(new Date(Date.now() + 31 * 86_400_000));
    assert.ok(removed >= sent.length);
    assert.equal(ours((await log().list({ first: 100 })).edges.map((e) => e.node)).length, 0);
  });
}
