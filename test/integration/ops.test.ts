import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { rest, xmlError } from '../support/rest-client.ts';
import { waitUntil, waitUntilAsync } from '../support/wait.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/** Health, readiness, metrics and graceful stop against a real Prosody. */
let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
  gateway = await startGateway(prosody);
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(`${gateway.url}${path}`, { headers });
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

it('/healthz answers while the process lives', async () => {
  const response = await get('/healthz');
  assert.equal(response.status, 200);
  assert.deepEqual(JSON.parse(response.body), { status: 'ok', role: 'single' });
});

it('/readyz flips to 503 with a reason when Prosody stops, and back when it returns', async () => {
  assert.deepEqual(JSON.parse((await get('/readyz')).body), {
    status: 'ready',
    role: 'single',
    checks: { xmpp: 'ok' },
  });
  await prosody.stop();
  // Started again whatever fails here: the tests after this one need it (and would hang without).
  try {
    await waitUntil(() => !gateway.app.core.online, 5000, 'the link to drop');
    // Without a token: which check fails, not why (error texts may name hosts and users).
    const down = await get('/readyz');
    assert.equal(down.status, 503);
    assert.deepEqual(JSON.parse(down.body), { status: 'not ready', role: 'single', checks: { xmpp: 'failing' } });
    const wrongToken = await get('/readyz', { Authorization: 'Bearer not-the-token-not-the-token' });
    assert.equal(wrongToken.status, 503);
    assert.deepEqual(JSON.parse(wrongToken.body), { status: 'not ready', role: 'single', checks: { xmpp: 'failing' } });
    const detailed = await get('/readyz', { Authorization: `Bearer ${gateway.token}` });
    assert.equal(detailed.status, 503);
    const body = JSON.parse(detailed.body) as { status: string; checks: { xmpp: string } };
    assert.equal(body.status, 'not ready');
    assert.match(body.checks.xmpp, /^link (connecting|waiting)/);
  } finally {
    await prosody.start();
  }
  await waitUntil(() => gateway.app.core.online, 10_000, 'the link to return');
  assert.equal((await get('/readyz')).status, 200);
});

it('/metrics exposes the gateway metrics in Prometheus format', async () => {
  // To the component's own domain: it comes back inbound, whoever is connected (a message to an
  // offline account would be answered 200 with Prosody's bounce).
  const sent = await rest(gateway, { body: '<message><body>metrics</body></message>' });
  assert.equal(sent.status, 202);
  const ping = await rest(gateway, { body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>" });
  assert.equal(ping.status, 200);
  const response = await get('/metrics');
  assert.equal(response.status, 200);
  assert.match(response.type ?? '', /^text\/plain/);
  for (const name of [
    'stanzas_total',
    'iq_duration_seconds_bucket',
    'iq_pending',
    'send_queue',
    'link_up',
    'link_reconnects',
  ]) {
    assert.match(response.body, new RegExp(`^stanza_gateway_${name}`, 'm'), name);
  }
  assert.match(response.body, /^stanza_gateway_stanzas_total\{direction="out",kind="message"\} [1-9]/m);
  assert.match(response.body, /^stanza_gateway_iq_duration_seconds_count\{outcome="result"\} [1-9]/m);
  assert.match(response.body, /^stanza_gateway_link_up 1$/m);
});

it('/metrics counts GraphQL operations and open subscriptions', async () => {
  const headers = { Authorization: `Bearer ${gateway.token}`, 'Content-Type': 'application/json' };
  const query = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: '{ status { domain } }' }),
  });
  assert.equal(query.status, 200);
  const metric = async (pattern: RegExp) => pattern.exec((await get('/metrics')).body)?.[1];
  // The stream is closed whatever happens: an open one would keep this file running until the
  // runner's timeout.
  const abort = new AbortController();
  try {
    const sse = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, Accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { stanzas { id } }' }),
      signal: abort.signal,
    });
    assert.equal(sse.status, 200);
    await waitUntilAsync(
      async () => (await metric(/^stanza_gateway_graphql_subscriptions (\d+)$/m)) === '1',
      5000,
      'the open subscription',
    );
    assert.ok(
      Number(await metric(/^stanza_gateway_graphql_operations_total\{type="query",outcome="ok"\} (\d+)/m)) >= 1,
    );
    assert.ok(
      Number(await metric(/^stanza_gateway_graphql_operations_total\{type="subscription",outcome="ok"\} (\d+)/m)) >= 1,
    );
  } finally {
    abort.abort();
  }
  await waitUntilAsync(
    async () => (await metric(/^stanza_gateway_graphql_subscriptions (\d+)$/m)) === '0',
    5000,
    'the subscription to close',
  );
});

it('a graceful stop lets an iq in progress finish and refuses new requests meanwhile', async (t) => {
  // A client of its own: the readiness test restarted Prosody under alice's feet.
  const bob = await connectUser(prosody, 'bob', 'bob-pw', 'desk');
  t.after(() => bob.stop());
  bob.client.iqCallee.get('urn:example:slow', 'query', async () => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    return true;
  });
  const inFlight = rest(gateway, {
    body: "<iq type='get' to='bob@localhost/desk'><query xmlns='urn:example:slow'/></iq>",
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const stopping = gateway.app.stop();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const refused = await rest(gateway, { body: '<message to="alice@localhost"/>' }).catch(() => undefined);
  // Either the connection is already closed, or the answer is the contract's 503 body.
  if (refused) {
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.equal(refused.body, xmlError('service-unavailable', 'The gateway is shutting down'));
  }
  const finished = await inFlight;
  assert.equal(finished.status, 200);
  assert.match(finished.body, /type='result'/);
  await stopping;
  assert.equal(gateway.app.core.status().link.state, 'stopped');
});
