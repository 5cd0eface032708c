import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Client } from 'graphql-ws';
import pg from 'pg';
import {
  StatusDocument,
  InboundStanzasDocument,
  ResumeStanzasDocument,
  type ResumeStanzasSubscription,
} from '../generated/graphql.ts';
import { startGateway, type TestGateway } from './gateway.ts';
import { waitUntil, waitUntilAsync } from './wait.ts';
import { type EventStream, graphqlData, graphqlHttp, subscribeWs, wsClient } from './graphql-client.ts';
import { startXmppServer, type XmppServer } from './xmpp-server.ts';
import { connectUser, xml, type XmppUser } from './xmpp-user.ts';

/**
 * The inbound journal through a real gateway and a real Prosody (docs/graphql.md, "Resuming a
 * subscription"): a bot that was away resumes from its last cursor and gets every stanza it
 * missed, in order, then live ones, none missing or twice, while stanzas keep arriving; the
 * Relay query; retention pruning; a restart. Run on real Postgres and on the embedded database.
 */
type Event = NonNullable<ResumeStanzasSubscription['stanzas']>;

export function journalSuite(database: () => Promise<{ url: string | undefined; drop(): Promise<void> }>): void {
  let prosody: XmppServer;
  let gateway: TestGateway;
  let client: Client;
  let alice: XmppUser;
  let drop: () => Promise<void> = async () => {};
  let url: string | undefined;
  let dataDir: string;
  const BOT = 'bot@rest.localhost';
  const env = (extra: Record<string, string> = {}) => ({
    INBOUND_JOURNAL_DAYS: '1',
    DATA_DIR: dataDir,
    ...(url ? { DATABASE_URL: url } : {}),
    ...extra,
  });
  const start = async (extra?: Record<string, string>) => {
    gateway = await startGateway(prosody, env(extra));
    client = wsClient(gateway);
  };
  const restart = async (extra?: Record<string, string>) => {
    await client.dispose();
    await gateway.stop();
    await start(extra);
  };

  before(async () => {
    const db = await database();
    url = db.url;
    drop = () => db.drop();
    dataDir = await mkdtemp(join(tmpdir(), 'sg-journal-'));
    prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
    await start();
    alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  });

  after(async () => {
    await client?.dispose();
    await alice?.stop();
    await gateway?.stop();
    await prosody?.dispose();
    await drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const send = (body: string) =>
    alice.client.send(xml('message', { to: BOT, type: 'chat', id: body }, xml('body', {}, body)));
  const subscribe = (after?: string): Promise<EventStream<ResumeStanzasSubscription>> =>
    subscribeWs(client, ResumeStanzasDocument, { filter: { kinds: ['MESSAGE'] }, after });
  const openSubscriptions = async () => (await graphqlData(gateway, StatusDocument, {})).status.subscriptions;
  /** A plain live subscription, once the gateway counts it (what is sent from then on reaches it). */
  const subscribeLive = async (): Promise<EventStream<ResumeStanzasSubscription>> => {
    // The suite's streams are closed after use: wait until the gateway has released them all.
    await waitUntilAsync(async () => (await openSubscriptions()) === 0, 10_000, 'earlier subscriptions released');
    const stream = await subscribe();
    await waitUntilAsync(async () => (await openSubscriptions()) === 1, 10_000, 'the subscription to start');
    return stream;
  };
  const events = (stream: EventStream<ResumeStanzasSubscription>): Event[] =>
    stream.events.map((event) => {
      assert.equal(event.errors, undefined, JSON.stringify(event.errors));
      return event.data!.stanzas;
    });
  const bodies = (stream: EventStream<ResumeStanzasSubscription>) =>
    events(stream).map((event) => (event.__typename === 'Message' ? event.body : null));
  const errorOf = async (stream: EventStream<ResumeStanzasSubscription>) => {
    // A subscription refused at its start is one result with errors; one that fails later, an error.
    const ended = (await stream.ended) as { message?: string; extensions?: { code?: string } }[] | undefined;
    const errors = Array.isArray(ended) ? ended : stream.events.at(-1)?.errors;
    return errors?.[0]?.extensions?.code ?? JSON.stringify({ ended, events: stream.events });
  };
  /** Opens a plain live subscription and takes the cursor of one message sent now. */
  const cursorNow = async (marker: string): Promise<string> => {
    const stream = await subscribeLive();
    await send(marker);
    const event = await stream.waitFor((e) => e.data?.stanzas.id === marker);
    stream.close();
    const cursor = event.data!.stanzas.cursor;
    assert.ok(cursor, 'a live event carries its cursor');
    return cursor;
  };
  const assertMonotonic = (list: Event[]) => {
    const seqs = list.map((event) => Number(Buffer.from(event.cursor!, 'base64url').toString().split(':')[1]));
    for (let i = 1; i < seqs.length; i += 1) assert.ok(seqs[i]! > seqs[i - 1]!, `cursor ${i} grows`);
  };

  it('a bot that missed 1,000 stanzas resumes from its cursor: all of them in order, then live ones, with stanzas arriving during the reconnect', async () => {
    const missed = 1000;
    const during = 300;
    const cursor = await cursorNow(`away-${Date.now()}`);
    const tag = Date.now().toString(36);
    const missedBodies = Array.from({ length: missed }, (_, i) => `${tag}-missed-${i}`);
    const duringBodies = Array.from({ length: during }, (_, i) => `${tag}-during-${i}`);
    for (const body of missedBodies) await send(body);
    // The reconnect happens while more keep arriving: part before the subscription, part after.
    const sending = (async () => {
      for (const body of duringBodies) {
        await send(body);
        if (body.endsWith('-20')) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stream = await subscribe(cursor);
    await sending;
    const last = duringBodies.at(-1)!;
    await stream.waitFor((event) => event.data?.stanzas.id === last, 30_000);
    const liveBody = `${tag}-live`;
    await send(liveBody);
    await stream.waitFor((event) => event.data?.stanzas.id === liveBody);
    stream.close();
    const got = bodies(stream);
    assert.deepEqual(got, [...missedBodies, ...duringBodies, liveBody], 'in order, none missing, none twice');
    assertMonotonic(events(stream));
  });

  it('a resume sees the stanzas whose journal write is still behind', async () => {
    const tag = Date.now().toString(36);
    const cursor = await cursorNow(`${tag}-mark`);
    await gateway.app.journal!.written();
    // On Postgres the journal's INSERTs are held back by a lock that still lets reads through, so
    // the 50 stanzas are certainly in the write buffer, not in the table, when the resume reads.
    const locker = url ? new pg.Client({ connectionString: url }) : undefined;
    if (locker) {
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "InboundStanza" IN SHARE MODE');
    }
    try {
      const sent = Array.from({ length: 50 }, (_, i) => `${tag}-fresh-${i}`);
      for (const body of sent) await send(body);
      if (locker) await waitUntil(() => gateway.app.journal!.status().buffered >= 50, 5000, 'the rows buffered');
      const stream = await subscribe(cursor);
      await stream.waitFor((event) => event.data?.stanzas.id === sent.at(-1), 10_000);
      if (locker) assert.ok(gateway.app.journal!.status().buffered >= 50, 'still not written');
      stream.close();
      assert.deepEqual(bodies(stream), sent);
    } finally {
      await locker?.query('COMMIT');
      await locker?.end();
    }
  });

  it('bad cursors get clear errors: not a cursor, or ahead of the journal', async () => {
    for (const [after, code] of [
      ['not-a-cursor', 'BAD_CURSOR'],
      [Buffer.from('inbound:999999999999').toString('base64url'), 'BAD_CURSOR'],
    ] as const) {
      const stream = await subscribe(after);
      assert.equal(await errorOf(stream), code);
    }
    const { body } = await graphqlHttp(gateway, InboundStanzasDocument, { after: 'nope' });
    assert.equal(body.errors?.[0]?.extensions?.code, 'BAD_CURSOR');
  });

  it('inboundStanzas pages the journal newest first, with the cursors the subscription gave', async () => {
    const tag = Date.now().toString(36);
    const sent = Array.from({ length: 25 }, (_, i) => `${tag}-page-${i}`);
    const stream = await subscribeLive();
    for (const body of sent) await send(body);
    await stream.waitFor((event) => event.data?.stanzas.id === sent.at(-1));
    stream.close();
    const liveCursors = new Map(events(stream).map((event) => [event.id, event.cursor]));
    const seen: string[] = [];
    let afterCursor: string | undefined;
    for (let page = 0; page < 3; page += 1) {
      const { inboundStanzas } = await graphqlData(gateway, InboundStanzasDocument, {
        first: 10,
        after: afterCursor,
        filter: { kind: 'MESSAGE', from: alice.jid.split('/')[0]! },
      });
      for (const edge of inboundStanzas.edges) {
        assert.equal(edge.cursor, edge.node.cursor);
        assert.ok(!Number.isNaN(Date.parse(edge.receivedAt)));
        if (edge.node.id.startsWith(`${tag}-page-`)) {
          assert.equal(edge.cursor, liveCursors.get(edge.node.id), 'the same cursor live and in the history');
          seen.push(edge.node.id);
        }
      }
      assert.equal(inboundStanzas.pageInfo.hasPreviousPage, page > 0);
      afterCursor = inboundStanzas.pageInfo.endCursor ?? undefined;
    }
    assert.deepEqual(seen, [...sent].reverse());
    const { body } = await graphqlHttp(gateway, InboundStanzasDocument, { first: 101 });
    assert.equal(body.errors?.[0]?.extensions?.code, 'INVALID_ARGUMENT');
  });

  it('the journal survives a restart: a cursor from before resumes with what arrived before and after it', async () => {
    const tag = Date.now().toString(36);
    const cursor = await cursorNow(`${tag}-before-restart`);
    const before = Array.from({ length: 20 }, (_, i) => `${tag}-pre-${i}`);
    for (const body of before) await send(body);
    // Every one of them reached the gateway before it stops (else they are the XMPP server's to keep).
    const probe = await subscribe(cursor);
    await probe.waitFor((event) => event.data?.stanzas.id === before.at(-1), 10_000);
    probe.close();
    await restart();
    const after = Array.from({ length: 20 }, (_, i) => `${tag}-post-${i}`);
    const stream = await subscribe(cursor);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const body of after) await send(body);
    await stream.waitFor((event) => event.data?.stanzas.id === after.at(-1), 10_000);
    stream.close();
    assert.deepEqual(bodies(stream), [...before, ...after]);
    assertMonotonic(events(stream));
  });

  it('retention prunes old stanzas; a cursor into them gets CURSOR_EXPIRED; cursors keep growing after a restart', async () => {
    const tag = Date.now().toString(36);
    const old = await cursorNow(`${tag}-old`);
    const newest = await cursorNow(`${tag}-newest`);
    await gateway.app.journal!.written();
    const removed = await gateway.app.journal!.prune(new Date(Date.now() + 2 * 86_400_000));
    assert.ok(removed > 1000, `pruned ${removed}`);
    const { inboundStanzas } = await graphqlData(gateway, InboundStanzasDocument, {});
    assert.deepEqual(inboundStanzas.edges, []);
    const stream = await subscribe(old);
    assert.equal(await errorOf(stream), 'CURSOR_EXPIRED');
    // The newest cursor is still good: nothing after it was pruned; it goes on live.
    const resumed = await subscribe(newest);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await send(`${tag}-after-prune`);
    await resumed.waitFor((event) => event.data?.stanzas.id === `${tag}-after-prune`);
    resumed.close();
    assert.deepEqual(bodies(resumed), [`${tag}-after-prune`]);
    // Every row is gone: the next number still follows the pruned ones, also after a restart.
    await restart();
    const fresh = await cursorNow(`${tag}-fresh`);
    const seq = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().split(':')[1]);
    assert.ok(seq(fresh) > seq(old));
  });

  it('/metrics shows the journal: up, nothing lost', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(text, /^stanza_gateway_journal_up 1$/m);
    assert.match(text, /^stanza_gateway_journal_lost_rows 0$/m);
    assert.match(text, /^stanza_gateway_journal_buffered_writes \d+$/m);
  });

  it("a scoped token's resume replays only what its `see` allows; paging the journal needs see: all", async () => {
    const token = `bot1-${'0123456789abcdef'.repeat(2)}`;
    const bot1 = 'bot1@rest.localhost';
    await restart({
      API_SCOPED_TOKENS: JSON.stringify([{ name: 'bot1', token, from: [bot1], can: ['subscribe'] }]),
    });
    const tag = Date.now().toString(36);
    const cursor = await cursorNow(`${tag}-scope-start`);
    const sendTo = (to: string, body: string) =>
      alice.client.send(xml('message', { to, type: 'chat', id: body }, xml('body', {}, body)));
    const mine: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      mine.push(`${tag}-bot1-${i}`);
      await sendTo(bot1, mine.at(-1)!);
      await send(`${tag}-other-${i}`);
    }
    // Every one of them reached the gateway (journaled) before bot1 resumes.
    const probe = await subscribe(cursor);
    await probe.waitFor((event) => event.data?.stanzas.id === `${tag}-other-9`, 10_000);
    probe.close();
    const bot1Client = wsClient(gateway, { authorization: `Bearer ${token}` });
    try {
      const stream = await subscribeWs(bot1Client, ResumeStanzasDocument, {
        filter: { kinds: ['MESSAGE'] },
        after: cursor,
      });
      await stream.waitFor((event) => event.data?.stanzas.id === mine.at(-1), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await send(`${tag}-other-live`);
      await sendTo(bot1, `${tag}-bot1-live`);
      await stream.waitFor((event) => event.data?.stanzas.id === `${tag}-bot1-live`, 10_000);
      stream.close();
      assert.deepEqual(bodies(stream), [...mine, `${tag}-bot1-live`], "only bot1's stanzas, replayed then live");
    } finally {
      await bot1Client.dispose();
    }
    const { body } = await graphqlHttp(gateway, InboundStanzasDocument, {}, { token });
    assert.equal(body.errors?.[0]?.extensions?.code, 'OPERATION_NOT_ALLOWED');
    assert.equal(body.data ?? null, null);
  });

  it('without INBOUND_JOURNAL_DAYS: `after` is JOURNAL_OFF, inboundStanzas too, cursors are null, live stays as it was', async () => {
    await restart({ INBOUND_JOURNAL_DAYS: '0' });
    assert.equal(gateway.app.journal, undefined);
    const resumed = await subscribe(Buffer.from('inbound:1').toString('base64url'));
    assert.equal(await errorOf(resumed), 'JOURNAL_OFF');
    const { body } = await graphqlHttp(gateway, InboundStanzasDocument, {});
    assert.equal(body.errors?.[0]?.extensions?.code, 'JOURNAL_OFF');
    const stream = await subscribeLive();
    const marker = `off-${Date.now()}`;
    await send(marker);
    const event = await stream.waitFor((e) => e.data?.stanzas.id === marker);
    stream.close();
    assert.equal(event.data!.stanzas.cursor, null);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /stanza_gateway_journal_/, 'no journal, no journal metrics');
  });
}
