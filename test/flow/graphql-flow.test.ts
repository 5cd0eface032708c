import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, afterEach, before, it } from 'node:test';
import type { Client } from 'graphql-ws';
import { SendIqDocument, SendMessageDocument, StanzasDocument, StatusDocument } from '../generated/graphql.ts';
import { type FakeLink, startFakeLink } from '../support/fake-link.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData, subscribeSse, subscribeWs, wsClient } from '../support/graphql-client.ts';
import { waitUntilAsync } from '../support/wait.ts';

/**
 * The GraphQL flows in-process, against the fake link instead of Prosody: a mutation's stanza
 * on the wire and its result, an iq mutation resolved by the reply, and subscriptions fed by
 * inbound stanzas. graphql-api, graphql-send-stanza and graphql-subscriptions check them
 * against a real Prosody.
 */
const DOMAIN = 'rest.localhost';
const ALICE = 'alice@localhost/phone';
let link: FakeLink;
let gateway: TestGateway;
let client: Client;

before(async () => {
  link = await startFakeLink(DOMAIN);
  gateway = await startGateway(link);
  client = wsClient(gateway);
});

afterEach(() => {
  link.acks = 'ack';
  link.releaseAcks();
});

after(async () => {
  await client?.dispose();
  await gateway?.stop();
  await link?.close();
});

const openSubscriptions = async () => (await graphqlData(gateway, StatusDocument, {})).status.subscriptions;

it('sendMessage: resolves once the server acknowledged it, with the stanza exactly as written', async () => {
  link.acks = 'hold';
  const marker = once(link, 'marker');
  let resolved = false;
  const pending = graphqlData(gateway, SendMessageDocument, {
    input: { to: ALICE, id: 'gql-m-1', type: 'CHAT', body: 'hello <you>', payloads: ["<x xmlns='urn:example:x'/>"] },
  }).then((data) => {
    resolved = true;
    return data;
  });
  await marker;
  const written = await link.nextWritten((stanza) => stanza.attrs.id === 'gql-m-1');
  assert.equal(
    written.toString(),
    `<message from="${DOMAIN}" to="${ALICE}" id="gql-m-1" type="chat"><body>hello &lt;you&gt;</body><x xmlns="urn:example:x"/></message>`,
  );
  // The window closes with a round trip through the gateway: the status query is answered
  // while the mutation still waits for the acknowledgement.
  await openSubscriptions();
  assert.equal(resolved, false, 'no result before the server acknowledged the message');
  link.releaseAcks();
  const { sendMessage } = await pending;
  assert.ok(sendMessage.__typename === 'SendMessageSuccess', JSON.stringify(sendMessage));
  assert.equal(sendMessage.sent.id, 'gql-m-1');
  assert.equal(sendMessage.sent.to, ALICE);
  assert.equal(sendMessage.sent.body, 'hello <you>');
});

it('sendIq: the reply that comes back is the result', async () => {
  const pending = graphqlData(gateway, SendIqDocument, {
    input: { to: ALICE, id: 'gql-iq-1', type: 'GET', payload: "<query xmlns='jabber:iq:version'/>" },
    timeoutMs: 2000,
  });
  const request = await link.nextWritten((stanza) => stanza.attrs.id === 'gql-iq-1');
  assert.equal(
    request.toString(),
    `<iq from="${DOMAIN}" to="${ALICE}" id="gql-iq-1" type="get"><query xmlns="jabber:iq:version"/></iq>`,
  );
  link.deliver(
    `<iq type='result' from='${ALICE}' to='${DOMAIN}' id='gql-iq-1'>` +
      `<query xmlns='jabber:iq:version'><name>fake</name><version>1.0</version></query></iq>`,
  );
  const { sendIq } = await pending;
  assert.ok(sendIq.__typename === 'SendIqSuccess', JSON.stringify(sendIq));
  assert.equal(sendIq.reply.iqType, 'RESULT');
  assert.equal(sendIq.reply.from, ALICE);
  assert.equal(sendIq.reply.payload?.xmlns, 'jabber:iq:version');
  assert.equal(
    sendIq.reply.payload?.xml,
    "<query xmlns='jabber:iq:version'><name>fake</name><version>1.0</version></query>",
  );
});

it('sendIq: no reply in time is IqTimeout', async () => {
  const { sendIq } = await graphqlData(gateway, SendIqDocument, {
    input: { to: ALICE, id: 'gql-iq-2', type: 'GET', payload: "<query xmlns='urn:example:silent'/>" },
    timeoutMs: 200,
  });
  assert.ok(sendIq.__typename === 'IqTimeout', JSON.stringify(sendIq));
  assert.equal(sendIq.condition, 'remote-server-timeout');
});

it('stanzas subscriptions (graphql-ws and SSE) receive an inbound message that matches their filter', async () => {
  const before = await openSubscriptions();
  const filter = { from: ['alice@localhost'], kinds: ['MESSAGE' as const] };
  const ws = await subscribeWs(client, StanzasDocument, { filter });
  const sse = await subscribeSse(gateway, StanzasDocument, { filter });
  try {
    await waitUntilAsync(async () => (await openSubscriptions()) === before + 2, 2000, 'both subscriptions to start');
    link.deliver(`<message from='bob@localhost/pc' to='bot@${DOMAIN}' id='in-0'><body>not for them</body></message>`);
    link.deliver(`<message from='${ALICE}' to='bot@${DOMAIN}' id='in-1' type='chat'><body>hi bot</body></message>`);
    for (const stream of [ws, sse]) {
      const event = await stream.waitFor((e) => e.data?.stanzas.id === 'in-1', 2000);
      const stanza = event.data!.stanzas;
      assert.ok(stanza.__typename === 'Message');
      assert.equal(stanza.from, ALICE);
      assert.equal(stanza.to, `bot@${DOMAIN}`);
      assert.equal(stanza.body, 'hi bot');
      assert.equal(stanza.messageType, 'CHAT');
      assert.deepEqual(
        stream.events.map((e) => e.data?.stanzas.id),
        ['in-1'],
        'the filter kept the other one out',
      );
    }
  } finally {
    ws.close();
    sse.close();
    await waitUntilAsync(async () => (await openSubscriptions()) === before, 2000, 'both subscriptions to end');
  }
});
