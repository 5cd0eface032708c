import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExecutionResult, print } from 'graphql';
import type { Client } from 'graphql-ws';
import {
  DeliveriesDocument,
  DeliveriesWithAttemptsDocument,
  DeliveryDocument,
  DeliveryEventsDocument,
  type DeliveryEventsSubscription,
  RedeliverDocument,
  WebhookStatusDocument,
} from '../generated/graphql.ts';
import { loadConfig } from '../../src/config.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { createLogger } from '../../src/log.ts';
import { buildApp } from '../../src/server.ts';
import { TEST_TOKEN, type TestGateway, testEnv } from '../support/gateway.ts';
import {
  type EventStream,
  graphqlData,
  graphqlHttp,
  subscribeSse,
  subscribeWs,
  wsClient,
} from '../support/graphql-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, traits, type XmppServer } from '../support/xmpp-server.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { waitUntil } from '../support/wait.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * The delivery log over GraphQL against real Prosody, Postgres and a local receiver: the
 * Relay connection and its filters, one delivery with its attempts, redelivery, and live
 * outcomes over graphql-ws and SSE.
 */
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let gateway: TestGateway;
let alice: XmppUser;
let bob: XmppUser;
let client: Client;
const BOT = 'bot@rest.localhost';

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
  database = await createTestDatabase();
  // "fail" in a body makes the receiver answer 404 (final at once); everything else is taken.
  receiver = await startReceiver((request) => (request.body.includes('fail') ? { status: 404 } : { status: 204 }));
  // Signed, so that every POST names its delivery in `webhook-id`.
  gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    WEBHOOK_SECRET: `whsec_${Buffer.from('graphql-deliveries-test-key').toString('base64')}`,
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  bob = await connectUser(prosody, 'bob', 'bob-pw', 'desk');
  client = wsClient(gateway);
});

after(async () => {
  await client?.dispose();
  await alice?.stop();
  await bob?.stop();
  await gateway?.stop();
  await receiver?.close();
  await database?.drop();
  await prosody?.dispose();
});

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now()}`;
}

async function sendAndSettle(user: XmppUser, body: string, kind: 'message' | 'presence' = 'message'): Promise<string> {
  await user.client.send(
    kind === 'message'
      ? xml('message', { to: BOT, type: 'chat' }, xml('body', {}, body))
      : xml('presence', { to: BOT }, xml('status', {}, body)),
  );
  await waitUntil(() => receiver.requests.some((request) => request.body.includes(body)), 5000, `the POST of ${body}`);
  const request = receiver.requests.find((candidate) => candidate.body.includes(body))!;
  const id = String(request.headers['webhook-id']);
  // The log is written behind the delivery: wait until the row shows its final status.
  for (
    const deadline = Date.now() + 5000;
    Date.now() < deadline;
    await new Promise((resolve) => setTimeout(resolve, 25))
  ) {
    const { delivery } = await graphqlData(gateway, DeliveryDocument, { id });
    if (delivery && delivery.status !== 'PENDING') return id;
  }
  throw new Error(`delivery ${id} did not settle`);
}

type DeliveryEventResult = ExecutionResult<DeliveryEventsSubscription>;

function bodyOf(event: DeliveryEventResult): string | undefined {
  const stanza = event.data?.deliveries.delivery.stanza;
  return stanza && 'body' in stanza ? (stanza.body ?? undefined) : undefined;
}

/** Sends `user`'s messages until the subscription delivers one: it is live from then on. */
async function untilLive(stream: EventStream<DeliveryEventsSubscription>, user: XmppUser): Promise<void> {
  for (let tries = 0; tries < 20; tries += 1) {
    const probe = unique('probe');
    await user.client.send(xml('message', { to: BOT, type: 'chat' }, xml('body', {}, probe)));
    try {
      await stream.waitFor((e) => bodyOf(e) === probe, 500);
      return;
    } catch {
      // Sent before the subscription was in place: try again.
    }
  }
  throw new Error('the subscription never delivered an event');
}

describe('queries', () => {
  const ids: string[] = [];
  before(async () => {
    for (let i = 0; i < 5; i += 1) ids.push(await sendAndSettle(alice, unique('page')));
    ids.push(await sendAndSettle(bob, unique('from-bob')));
    ids.push(await sendAndSettle(bob, unique('fail')));
    ids.push(await sendAndSettle(alice, unique('presence'), 'presence'));
  });

  it('pages newest first with stable cursors, and no row twice or missing', async () => {
    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const { deliveries } = await graphqlData(gateway, DeliveriesDocument, { first: 3, after });
      seen.push(...deliveries.edges.map((edge) => edge.node.id));
      if (!deliveries.pageInfo.hasNextPage) break;
      assert.equal(deliveries.pageInfo.endCursor, deliveries.edges.at(-1)!.cursor);
      after = deliveries.pageInfo.endCursor;
    }
    assert.deepEqual(
      seen.filter((id) => ids.includes(id)),
      [...ids].reverse(),
    );
    assert.equal(new Set(seen).size, seen.length);
    // A cursor still works after newer deliveries arrived: the page after it is unchanged.
    const { deliveries: first } = await graphqlData(gateway, DeliveriesDocument, { first: 2 });
    const page = await graphqlData(gateway, DeliveriesDocument, { first: 2, after: first.pageInfo.endCursor });
    await sendAndSettle(alice, unique('newer'));
    const again = await graphqlData(gateway, DeliveriesDocument, { first: 2, after: first.pageInfo.endCursor });
    assert.deepEqual(again.deliveries.edges, page.deliveries.edges);
  });

  it('filters by sender, status, kind and time', async () => {
    const fromBob = await graphqlData(gateway, DeliveriesDocument, { filter: { from: 'bob@localhost' } });
    assert.deepEqual(
      fromBob.deliveries.edges.map((edge) => edge.node.from.split('/')[0]),
      fromBob.deliveries.edges.map(() => 'bob@localhost'),
    );
    assert.equal(fromBob.deliveries.edges.length, 2);
    const failed = await graphqlData(gateway, DeliveriesDocument, { filter: { status: 'FAILED' } });
    assert.deepEqual(
      failed.deliveries.edges.map((edge) => edge.node.id),
      [ids[6]],
    );
    assert.equal(failed.deliveries.edges[0]!.node.outcome, 'http-error');
    const messages = await graphqlData(gateway, DeliveriesDocument, {
      filter: { kind: 'MESSAGE', status: 'DELIVERED', from: 'alice@localhost/phone' },
    });
    assert.ok(messages.deliveries.edges.length >= 5);
    // Each kind alone: the one presence, and every message but not it.
    const presences = await graphqlData(gateway, DeliveriesDocument, { filter: { kind: 'PRESENCE' } });
    assert.deepEqual(
      presences.deliveries.edges.map((edge) => edge.node.id),
      [ids[7]],
    );
    const allMessages = await graphqlData(gateway, DeliveriesDocument, { filter: { kind: 'MESSAGE' }, first: 100 });
    const messageIds = allMessages.deliveries.edges.map((edge) => edge.node.id);
    assert.ok(
      ids.slice(0, 7).every((id) => messageIds.includes(id)) && !messageIds.includes(ids[7]!),
      messageIds.join(),
    );
    const future = await graphqlData(gateway, DeliveriesDocument, {
      filter: { since: new Date(Date.now() + 60_000).toISOString() },
    });
    assert.equal(future.deliveries.edges.length, 0);
  });

  it('one delivery has its typed stanza, raw XML and attempts', async () => {
    const { delivery } = await graphqlData(gateway, DeliveryDocument, { id: ids[6]! });
    assert.ok(delivery);
    assert.equal(delivery.kind, 'MESSAGE');
    assert.equal(delivery.status, 'FAILED');
    assert.match(delivery.xml, /^<message [^>]*>.*<body>fail-/);
    assert.equal(delivery.stanza?.kind, 'MESSAGE');
    assert.equal(delivery.attempts.length, 1, 'a 404 is final at once');
    assert.equal(delivery.attempts[0]!.httpStatus, 404);
    assert.equal(delivery.attempts[0]!.errorKind, 'http');
    const listed = await graphqlData(gateway, DeliveriesWithAttemptsDocument, {
      first: 2,
      filter: { from: 'bob@localhost' },
    });
    assert.ok(listed.deliveries.nodes.every((node) => node.attempts.length === 1));
  });

  it('the attempts of a whole page come from one read, the same as delivery(id) reads them', async (t) => {
    const log = gateway.app.webhooks!.log;
    const batched = t.mock.method(log, 'attemptsFor');
    const single = t.mock.method(log, 'get');
    const listed = await graphqlData(gateway, DeliveriesWithAttemptsDocument, { first: 7 });
    const ids = listed.deliveries.nodes.map((node) => node.id);
    assert.equal(ids.length, 7);
    assert.equal(batched.mock.callCount(), 1, 'one read for the page, not one per delivery');
    assert.deepEqual([...batched.mock.calls[0]!.arguments[0]].sort(), [...ids].sort());
    assert.equal(single.mock.callCount(), 0);
    // graphql-ws builds its context through the same factory: one read there too.
    const overWs = await new Promise<unknown>((resolve, reject) =>
      client.subscribe(
        { query: print(DeliveriesWithAttemptsDocument), variables: { first: 7 } },
        { next: resolve, error: reject, complete: () => {} },
      ),
    );
    assert.deepEqual(overWs, { data: listed });
    assert.equal(batched.mock.callCount(), 2);
    for (const node of listed.deliveries.nodes) {
      const { delivery } = await graphqlData(gateway, DeliveryDocument, { id: node.id });
      assert.deepEqual(node.attempts, delivery?.attempts, node.id);
      assert.ok(node.attempts.length >= 1);
    }
    assert.equal(batched.mock.callCount(), 2, 'delivery(id) brings its attempts with the row: no second read');
  });

  it('attempts that cannot be read are DATABASE_UNAVAILABLE, not a masked error', async (t) => {
    t.mock.method(gateway.app.webhooks!.log, 'attemptsFor', async () => {
      throw new GatewayError('database-unavailable');
    });
    const { body } = await graphqlHttp(gateway, DeliveriesWithAttemptsDocument, { first: 3 });
    assert.ok(body.errors && body.errors.length > 0, JSON.stringify(body));
    for (const error of body.errors) {
      assert.equal(error.extensions?.code, 'DATABASE_UNAVAILABLE', JSON.stringify(error));
      assert.notEqual(error.message, 'Unexpected error.');
    }
  });

  it('an unknown id is null; bad arguments are coded errors', async () => {
    const { delivery } = await graphqlData(gateway, DeliveryDocument, { id: '00000000-0000-7000-8000-000000000000' });
    assert.equal(delivery, null);
    const badCursor = await graphqlHttp(gateway, DeliveriesDocument, { after: 'not-a-cursor' });
    assert.equal(badCursor.body.errors?.[0]?.extensions?.code, 'BAD_CURSOR');
    const tooMany = await graphqlHttp(gateway, DeliveriesDocument, { first: 1000 });
    assert.equal(tooMany.body.errors?.[0]?.extensions?.code, 'INVALID_ARGUMENT');
  });
});

describe('redeliver and live outcomes', () => {
  it('redeliver POSTs the stanza again as a new delivery, seen live over graphql-ws and SSE', async () => {
    const original = await sendAndSettle(alice, unique('again'));
    const ws = await subscribeWs(client, DeliveryEventsDocument, { filter: { from: 'alice@localhost' } });
    const sse = await subscribeSse(gateway, DeliveryEventsDocument, { filter: { status: 'DELIVERED' } });
    const posts = receiver.requests.length;
    const result = await graphqlData(gateway, RedeliverDocument, { id: original });
    assert.equal(result.redeliver.__typename, 'RedeliverSuccess');
    if (result.redeliver.__typename !== 'RedeliverSuccess') return;
    const copy = result.redeliver.delivery;
    assert.equal(copy.redeliveryOf, original);
    assert.notEqual(copy.id, original);
    await waitUntil(() => receiver.requests.length > posts, 5000, 'the second POST');
    assert.equal(String(receiver.requests.at(-1)!.headers['webhook-id']), copy.id);
    for (const stream of [ws, sse]) {
      const event = await stream.waitFor(
        (e) => e.data?.deliveries.delivery.id === copy.id && e.data.deliveries.delivery.status === 'DELIVERED',
      );
      assert.equal(event.data?.deliveries.attempt?.httpStatus, 204);
      assert.match(
        event.data?.deliveries.delivery.stanza && 'body' in event.data.deliveries.delivery.stanza
          ? String(event.data.deliveries.delivery.stanza.body)
          : '',
        /^again-/,
      );
    }
    ws.close();
    sse.close();
  });

  it('the subscription filter holds back what does not match', async () => {
    const stream = await subscribeWs(client, DeliveryEventsDocument, { filter: { from: 'bob@localhost' } });
    // graphql-ws subscribes asynchronously: only an event seen proves the filter is in place.
    await untilLive(stream, bob);
    const aliceText = unique('alice-only');
    // Settled: its events were published before the row was written (the log is written behind).
    await sendAndSettle(alice, aliceText);
    const bobText = unique('bob-too');
    await sendAndSettle(bob, bobText);
    // Events of one subscription arrive in order: alice's would have come before this one.
    await stream.waitFor((e) => bodyOf(e) === bobText);
    assert.equal(
      stream.events.filter((e) => bodyOf(e) === aliceText).length,
      0,
      "alice's delivery got through the filter",
    );
    assert.ok(stream.events.every((e) => e.data?.deliveries.delivery.from.startsWith('bob@')));
    stream.close();
  });

  it('redeliver of an unknown id is a typed InvalidInput naming the field', async () => {
    const { redeliver } = await graphqlData(gateway, RedeliverDocument, { id: '00000000-0000-7000-8000-000000000000' });
    assert.equal(redeliver.__typename, 'InvalidInput');
    if (redeliver.__typename !== 'InvalidInput') return;
    assert.equal(redeliver.kind, 'UNKNOWN_DELIVERY');
    assert.equal(redeliver.field, 'id');
    assert.equal(redeliver.condition, 'item-not-found');
  });
});

describe('status.webhooks', () => {
  const webhookStatus = async () => {
    const { webhooks } = (await graphqlData(gateway, WebhookStatusDocument, {})).status;
    assert.ok(webhooks, 'set with CALLBACK_URL');
    return webhooks;
  };

  it('counts outcomes since start and shows the log database', async () => {
    const before = await webhookStatus();
    await sendAndSettle(alice, unique('counted'));
    await sendAndSettle(alice, unique('fail-counted'));
    const after = await webhookStatus();
    assert.equal(after.deliveries.accepted - before.deliveries.accepted, 2);
    assert.equal(after.deliveries.delivered - before.deliveries.delivered, 1);
    assert.equal(after.deliveries.failed - before.deliveries.failed, 1);
    assert.equal(after.deliveries.inFlight, 0);
    assert.equal(after.deliveries.oldestPendingAt, null);
    assert.deepEqual(
      { database: after.log.database, state: after.log.state, lostRows: after.log.lostRows },
      { database: 'POSTGRES', state: 'UP', lostRows: 0 },
    );
  });
});

describe('without a webhook', () => {
  it('the log operations say the log is off', async () => {
    // Its link never comes up (the domain is taken): the log operations do not need it.
    const config = loadConfig(testEnv(prosody));
    const app = buildApp(config, createLogger('silent'));
    const { url } = await app.start();
    const plain = { app, config, url, token: TEST_TOKEN, waitOnline: async () => {}, stop: () => app.stop() };
    try {
      const query = await graphqlHttp(plain, DeliveriesDocument, {});
      assert.equal(query.body.errors?.[0]?.extensions?.code, 'DELIVERY_LOG_OFF');
      const { redeliver } = await graphqlData(plain, RedeliverDocument, { id: '00000000-0000-7000-8000-000000000000' });
      assert.equal(redeliver.__typename, 'Unavailable');
      const { status } = await graphqlData(plain, WebhookStatusDocument, {});
      assert.equal(status.webhooks, null);
      // Stopping while the link is still opening its stream trips an unhandled rejection inside
      // xmpp.js (Connection.start's "online" promise); let the attempt settle first: refused
      // (Prosody's conflict), or connected in standby (ejabberd accepts a second connection).
      const settled = traits.refusesSecondComponent ? 'waiting' : 'standby';
      await waitUntil(
        () => app.core.status().link.state === settled,
        10_000,
        `the link attempt to settle (${settled})`,
      );
    } finally {
      await plain.stop();
    }
  });
});
