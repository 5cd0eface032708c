// A quick measurement of the GraphQL face against a private local Prosody (loopback only,
// bounded counts): sendMessage mutations/s over HTTP at a few concurrencies, and stanzas/s
// delivered to one graphql-ws subscriber. Run: npx tsx bench/graphql.ts
import { print } from 'graphql';
import { SendMessageDocument, StanzasDocument } from '../test/generated/graphql.ts';
import { startGateway } from '../test/support/gateway.ts';
import { subscribeWs, wsClient } from '../test/support/graphql-client.ts';
import { startProsody } from '../test/support/prosody.ts';
import { connectUser } from '../test/support/xmpp-user.ts';

const MUTATIONS = 4000;
const EVENTS = 20_000;

const prosody = await startProsody({ users: { alice: 'alice-pw' } });
const gateway = await startGateway(prosody, { SUBSCRIPTION_BUFFER_MAX: '100000' });
const alice = await connectUser(prosody, 'alice', 'alice-pw', 'bench');

try {
  const query = print(SendMessageDocument);
  const send = async (n: number) => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query, variables: { input: { to: alice.jid, body: `bench ${n}` } } }),
    });
    const body = (await response.json()) as { data?: { sendMessage: { __typename: string } } };
    if (body.data?.sendMessage.__typename !== 'SendMessageSuccess') throw new Error(JSON.stringify(body));
  };
  for (const concurrency of [1, 16, 64]) {
    await Promise.all(Array.from({ length: 50 }, (_, n) => send(n))); // warm-up
    let next = 0;
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < MUTATIONS) {
          const n = (next += 1);
          const t0 = performance.now();
          await send(n);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    console.log(`sendMessage over HTTP, concurrency ${concurrency}: ${(MUTATIONS / seconds).toFixed(0)}/s (p50 ${p(0.5)} ms, p99 ${p(0.99)} ms)`);
  }

  const client = wsClient(gateway);
  const stream = await subscribeWs(client, StanzasDocument, { filter: { kinds: ['MESSAGE'] } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const batch: string[] = [];
  for (let n = 0; n < EVENTS; n += 1) batch.push(`<message to='bot@${prosody.componentDomain}' id='e${n}'><body>event ${n}</body></message>`);
  const started = performance.now();
  await alice.sendXml(batch.join(''));
  await stream.waitFor((event) => event.data?.stanzas.id === `e${EVENTS - 1}`, 120_000);
  const seconds = (performance.now() - started) / 1000;
  console.log(`stanzas delivered to one graphql-ws subscriber: ${(EVENTS / seconds).toFixed(0)}/s (${EVENTS} in ${seconds.toFixed(2)} s, all ${stream.events.length === EVENTS ? 'received' : `NOT received: ${stream.events.length}`})`);
  stream.close();
  await client.dispose();
} finally {
  await alice.stop();
  await gateway.stop();
  await prosody.dispose();
}
