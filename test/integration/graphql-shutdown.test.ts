import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, it, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { DeliveryEventsDocument, StanzasDocument, StatusDocument } from '../generated/graphql.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData, subscribeSse, subscribeWs, wsClient } from '../support/graphql-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * stop() with live subscribers and an inbound iq waiting for one: every socket and stream is
 * closed (`stanzas` and `deliveries`, graphql-ws and SSE, unresponsive clients included), and
 * the iq still gets its one reply before the link goes. Each case stops a gateway of its own.
 */
let prosody: XmppServer;
let alice: XmppUser;
/** Far above what any case may take: a stop that waits for its grace period fails. */
const GRACE_MS = 10_000;
const PROMPT_MS = 3000;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await prosody?.dispose();
});

/** A gateway stopped after the test unless the test stopped it (stop() with a webhook is once only). */
async function gatewayFor(t: TestContext, start: () => Promise<TestGateway>): Promise<TestGateway> {
  const gateway = await start();
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= gateway.stop());
  t.after(stop);
  return { ...gateway, stop };
}

async function timedStop(gateway: TestGateway): Promise<void> {
  const started = Date.now();
  await gateway.stop();
  const took = Date.now() - started;
  assert.ok(took < PROMPT_MS, `stop() took ${took} ms`);
}

it('stop() closes graphql-ws sockets and SSE streams, answers pending iqs, and may be called again', async (t) => {
  const gateway = await gatewayFor(t, () => startGateway(prosody, { SHUTDOWN_GRACE_MS: String(GRACE_MS) }));
  let closeCode: number | undefined;
  const client = wsClient(gateway);
  client.on('closed', (event) => {
    closeCode = (event as { code: number }).code;
  });
  const ws = await subscribeWs(client, StanzasDocument, {});
  const sse = await subscribeSse(gateway, StanzasDocument, {});
  const deadline = Date.now() + 5000;
  while ((await graphqlData(gateway, StatusDocument, {})).status.subscriptions < 2) assert.ok(Date.now() < deadline);

  const answer = alice.client.iqCaller
    .request(
      xml('iq', { type: 'get', to: `bot@${prosody.componentDomain}` }, xml('query', { xmlns: 'urn:example:q' })),
      5000,
    )
    .then(
      () => ({ type: 'result', condition: undefined }),
      (error: { type?: string; condition?: string }) => ({ type: error.type, condition: error.condition }),
    );
  await ws.waitFor((event) => event.data?.stanzas.__typename === 'Iq');
  // Held by the subscribers: the core did not answer it `cancel/service-unavailable` at once.
  assert.equal((await graphqlData(gateway, StatusDocument, {})).status.pendingAnswers, 1);

  await timedStop(gateway);
  // The subscribers' hold, answered at stop (IqAnswers.close), not the core's immediate refusal.
  assert.deepEqual(await answer, { type: 'wait', condition: 'service-unavailable' });
  await ws.ended;
  await sse.ended;
  assert.equal(closeCode, 1001);
  await client.dispose();
  // A second stop (a test, then its after hook) is harmless.
  await gateway.stop();
});

it('stop() does not wait for a graphql-ws client that never answers the closing handshake', async (t) => {
  const gateway = await gatewayFor(t, () => startGateway(prosody, { SHUTDOWN_GRACE_MS: String(GRACE_MS) }));
  const socket = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  t.after(() => socket.terminate());
  await once(socket, 'open');
  const acked = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      if ((JSON.parse((data as Buffer).toString()) as { type: string }).type === 'connection_ack') resolve();
    }),
  );
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${gateway.token}` } }));
  await acked;
  // From now on it reads nothing, so it never answers the server's close frame (ws would wait
  // 30 s for it by default).
  socket.pause();
  await timedStop(gateway);
});

it('stop() ends an open SSE `deliveries` subscription instead of waiting for it', async (t) => {
  const database: TestDatabase = await createTestDatabase();
  const receiver: Receiver = await startReceiver(() => ({ status: 204 }));
  const gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
  });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await gateway.stop();
    await receiver.close();
    await database.drop();
  });
  const sse = await subscribeSse(gateway, DeliveryEventsDocument, {});
  // Live once it has seen an event.
  await alice.client.send(
    xml('message', { to: `bot@${prosody.componentDomain}`, type: 'chat' }, xml('body', {}, 'before the stop')),
  );
  await sse.waitFor((event) => event.data?.deliveries.delivery.status === 'DELIVERED');

  stopped = true;
  await timedStop(gateway);
  assert.equal(await sse.ended, undefined, 'ended normally, not with an error');
});
