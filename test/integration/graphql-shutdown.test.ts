import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { StanzasDocument, StatusDocument } from '../generated/graphql.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData, subscribeSse, subscribeWs, wsClient } from '../support/graphql-client.ts';
import { startProsody, type Prosody } from '../support/prosody.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * stop() with live subscribers and an inbound iq waiting for one: every socket and stream is
 * closed, and the iq still gets its one reply before the link goes.
 */
let prosody: Prosody;
let gateway: TestGateway;
let alice: XmppUser;

before(async () => {
  prosody = await startProsody({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody);
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await prosody?.dispose();
});

it('stop() closes graphql-ws sockets and SSE streams, answers pending iqs, and may be called again', async () => {
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
    .request(xml('iq', { type: 'get', to: `bot@${prosody.componentDomain}` }, xml('query', { xmlns: 'urn:example:q' })), 5000)
    .then(
      () => 'result',
      (error: { condition?: string }) => error.condition,
    );
  await ws.waitFor((event) => event.data?.stanzas.__typename === 'Iq');

  const started = Date.now();
  await gateway.stop();
  assert.ok(Date.now() - started < 3000, `stop() took ${Date.now() - started} ms`);
  assert.equal(await answer, 'service-unavailable');
  await ws.ended;
  await sse.ended;
  assert.equal(closeCode, 1001);
  await client.dispose();
  // A second stop (a test, then its after hook) is harmless.
  await gateway.stop();
});
