import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, it } from 'node:test';
import type WebSocket from 'ws';
import { StanzasDocument, StatusDocument } from '../generated/graphql.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData, subscribeWs, wsClient } from '../support/graphql-client.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * A subscriber that stops reading must not hold up the XMPP link or other subscribers: its
 * bounded buffer overflows, its subscription ends with SUBSCRIBER_OVERFLOW, and everyone else
 * gets every stanza (docs/graphql.md, "Slow subscribers").
 */
let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;
// Large enough for the bursts a reading subscriber sees (one TCP read holds many stanzas).
const BUFFER = 200;
const COUNT = 2500;
const ROUND = 50;
const BODY = 'x'.repeat(4096);

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, { SUBSCRIPTION_BUFFER_MAX: String(BUFFER) });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

async function subscriptions(): Promise<number> {
  return (await graphqlData(gateway, StatusDocument, {})).status.subscriptions;
}

it('a subscriber that stops reading is ended with SUBSCRIBER_OVERFLOW; the others get everything', async () => {
  let slowSocket: WebSocket | undefined;
  const slowClient = wsClient(gateway, undefined, (socket) => {
    slowSocket = socket;
  });
  const fastClient = wsClient(gateway);
  const slow = await subscribeWs(slowClient, StanzasDocument, { filter: { kinds: ['MESSAGE'] } });
  const fast = await subscribeWs(fastClient, StanzasDocument, { filter: { kinds: ['MESSAGE'] } });
  const deadline = Date.now() + 5000;
  while ((await subscriptions()) < 2) assert.ok(Date.now() < deadline, 'subscriptions did not start');

  // The slow client stops reading its socket: the gateway's writes back up into the kernel
  // buffers, then into that subscription's bounded buffer.
  (slowSocket as unknown as { _socket: Socket })._socket.pause();
  // In rounds that the reading subscriber keeps up with (a round is less than its buffer);
  // the paused one falls further behind with every round.
  for (let round = 0; round < COUNT / ROUND; round += 1) {
    const batch: string[] = [];
    for (let n = round * ROUND; n < (round + 1) * ROUND; n += 1) {
      batch.push(`<message to='bot@${prosody.componentDomain}' id='s${n}'><body>${n} ${BODY}</body></message>`);
    }
    await alice.sendXml(batch.join(''));
    const last = `${(round + 1) * ROUND - 1} `;
    await fast.waitFor((event) => {
      const stanza = event.data?.stanzas;
      return stanza?.__typename === 'Message' && stanza.body?.startsWith(last) === true;
    }, 10_000);
  }
  assert.equal(fast.events.length, COUNT, 'the reading subscriber got every stanza');

  const status = (await graphqlData(gateway, StatusDocument, {})).status;
  assert.equal(status.subscriptionOverflows, 1);
  assert.equal(status.subscriptions, 1, 'the slow subscription was ended and released');
  assert.equal(status.link.state, 'ONLINE');
  assert.equal(status.link.connects, 1);

  (slowSocket as unknown as { _socket: Socket })._socket.resume();
  const error = (await slow.ended) as { message?: string; extensions?: { code?: string } }[] | undefined;
  assert.ok(Array.isArray(error), `ended with GraphQL errors, got ${JSON.stringify(error)}`);
  assert.match(error[0]?.message ?? '', /did not keep up/);
  assert.equal(error[0]?.extensions?.code, 'SUBSCRIBER_OVERFLOW');
  assert.ok(slow.events.length < COUNT, `the slow subscriber got ${slow.events.length} events before the end`);
  assert.ok(
    slow.events.every((event, index) => event.data?.stanzas.id === `s${index}`),
    'what it got is a complete prefix',
  );

  fast.close();
  await Promise.all([slowClient.dispose(), fastClient.dispose()]);
});
