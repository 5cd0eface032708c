import { createClient } from 'graphql-ws';
import type { Element } from 'ltx';
import WebSocket from 'ws';
import type { BenchContext, BenchSection } from '../support/context.ts';
import { createPoster } from '../support/http-load.ts';
import { countArrivals } from '../support/raw-component.ts';
import { gatewayMessages, rawMessages } from '../support/sink-delivery.ts';
import { formatRow, runLoad, summarise, type Summary } from '../support/stats.ts';
import { BASELINE_DOMAIN, BASELINE_SECRET } from './rest-delivery.ts';
import { restMessages } from './rest.ts';

/**
 * GraphQL beside the raw link: sendMessage mutations end to end (gateway → Prosody → sink
 * component), ping mutations, and inbound stanzas delivered to one graphql-ws subscriber.
 */
const CONCURRENCY = 64;
const SEND_MESSAGE = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }';

async function graphqlMessages(ctx: BenchContext, total: number, concurrency: number): Promise<Summary> {
  const poster = createPoster(ctx.gatewayUrl, concurrency);
  const headers = { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/json' };
  const summary = await gatewayMessages(ctx, total, concurrency, async (id, i) => {
    const body = JSON.stringify({
      query: SEND_MESSAGE,
      variables: { input: { to: 'sink.localhost', id, body: `m${i}` } },
    });
    const response = await poster.post('/graphql', headers, body);
    if (!response.body.includes('SendMessageSuccess'))
      throw new Error(`sendMessage answered ${response.status}: ${response.body}`);
  });
  poster.close();
  return summary;
}

async function graphqlPings(ctx: BenchContext, total: number): Promise<Summary> {
  const poster = createPoster(ctx.gatewayUrl, CONCURRENCY);
  const headers = { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/json' };
  const body = JSON.stringify({ query: 'mutation { ping(to: "localhost") { __typename } }' });
  const summary = await runLoad(total, CONCURRENCY, async () => {
    const response = await poster.post('/graphql', headers, body);
    if (!response.body.includes('"Pong"')) throw new Error(`ping answered ${response.status}: ${response.body}`);
  });
  poster.close();
  return summary;
}

/** The raw component floods the sink: the rate at which Prosody hands stanzas to a component. */
async function rawFlood(ctx: BenchContext, total: number): Promise<Summary> {
  const tag = `flood-${Date.now()}`;
  const arrived = countArrivals(ctx.sink, (stanza: Element) => stanza.attrs.id?.startsWith(tag) === true, total);
  const started = performance.now();
  await flood(ctx, 'sink.localhost', tag, total);
  await arrived;
  return summarise([], (performance.now() - started) / 1000);
}

async function flood(ctx: BenchContext, to: string, tag: string, total: number): Promise<void> {
  for (let from = 0; from < total; from += 1000) {
    const batch: string[] = [];
    for (let i = from; i < Math.min(total, from + 1000); i += 1)
      batch.push(`<message from='raw.localhost' to='${to}' id='${tag}-${i}'><body>e${i}</body></message>`);
    await ctx.raw.entity.write(batch.join(''));
  }
}

/** The same flood to bot@<gateway domain>, counted by one graphql-ws subscriber. */
async function subscriberFlood(ctx: BenchContext, total: number): Promise<Summary> {
  const client = createClient({
    url: `${ctx.gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${ctx.token}` },
  });
  const tag = `sub-${Date.now()}`;
  let seen = 0;
  let subscribed!: () => void;
  let done!: () => void;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  const all = new Promise<void>((resolve) => (done = resolve));
  const dispose = client.subscribe(
    { query: `subscription { stanzas(filter: { from: ["raw.localhost"] }) { id } }` },
    {
      next: (event) => {
        const id = (event.data as { stanzas: { id: string } } | undefined)?.stanzas.id ?? '';
        if (id === 'probe') subscribed();
        else if (id.startsWith(tag) && (seen += 1) === total) done();
      },
      error: (error) => {
        // graphql-ws reports a closed socket as its CloseEvent and a socket failure as an Error,
        // both of which JSON.stringify shows as {}.
        const { code, reason } = error as { code?: number; reason?: string };
        const detail =
          error instanceof Error
            ? error.message
            : code === undefined
              ? JSON.stringify(error)
              : `closed ${code} ${reason ?? ''}`;
        throw new Error(`subscription failed: ${detail}`);
      },
      complete: () => {},
    },
  );
  // The subscription is live once a probe comes through it.
  const probe = setInterval(() => {
    void ctx.raw.entity.write(`<message from='raw.localhost' to='bot@${ctx.prosody.componentDomain}' id='probe'/>`);
  }, 50);
  await ready;
  clearInterval(probe);
  const started = performance.now();
  await flood(ctx, `bot@${ctx.prosody.componentDomain}`, tag, total);
  await all;
  const seconds = (performance.now() - started) / 1000;
  dispose();
  await client.dispose();
  return summarise([], seconds);
}

function rateRow(name: string, total: number, summary: Summary, baseline?: Summary): string {
  const rate = total / summary.seconds;
  const ratio = baseline ? `  ${((rate / (total / baseline.seconds)) * 100).toFixed(0)}% of raw` : '';
  return `${name.padEnd(46)}  ${rate.toFixed(0).padStart(7)}/s${ratio}`;
}

export const graphqlSection: BenchSection = {
  name: '/graphql',
  async run(ctx) {
    const messages = Math.round(10_000 * ctx.scale);
    const pings = Math.round(5_000 * ctx.scale);
    const events = Math.round(20_000 * ctx.scale);
    // Both faces warmed first (not reported): the ratio below compares per-request cost, not
    // how long each takes to be compiled, and this section may be the first to load either.
    await graphqlMessages(ctx, Math.round(messages / 5), CONCURRENCY);
    await restMessages(ctx, Math.round(messages / 5));
    const rawMsg = await rawMessages(ctx, messages, CONCURRENCY);
    const gqlMsg = await graphqlMessages(ctx, messages, CONCURRENCY);
    // /rest's message rate measured here, next to sendMessage's, for the ratio the per-request
    // cost is judged by (issue #13): the same load, two faces.
    const restMsg = await restMessages(ctx, messages);
    const rawSeq = await rawMessages(ctx, Math.round(messages / 10), 1);
    const gqlSeq = await graphqlMessages(ctx, Math.round(messages / 10), 1);
    const gqlPing = await graphqlPings(ctx, pings);
    const rawFlooded = await rawFlood(ctx, events);
    const subscribed = await subscriberFlood(ctx, events);
    const baseline = await baselineRows(ctx, messages);
    return [
      formatRow(`raw component: message × ${CONCURRENCY} → sink (end to end)`, rawMsg),
      formatRow(`sendMessage × ${CONCURRENCY} → sink (end to end)`, gqlMsg, rawMsg),
      formatRow(`/rest POST message × ${CONCURRENCY} → sink (end to end)`, restMsg, rawMsg),
      `${`sendMessage × ${CONCURRENCY} ÷ /rest message × ${CONCURRENCY}`.padEnd(46)}  ${(gqlMsg.perSecond / restMsg.perSecond).toFixed(2).padStart(7)}×`,
      formatRow('raw component: message, sequential', rawSeq),
      formatRow('sendMessage, sequential', gqlSeq, rawSeq),
      formatRow(`ping mutation × ${CONCURRENCY} (server answers)`, gqlPing),
      rateRow(`raw component: ${events} messages flooded → sink`, events, rawFlooded),
      rateRow(`same flood → one graphql-ws subscriber`, events, subscribed, rawFlooded),
      ...baseline,
    ];
  },
};

/**
 * With BENCH_BASELINE_DIR, the other checkout's gateway (its own component domain) under the same
 * two loads, in the same run: the before and after of sendMessage's cost beside /rest's.
 */
async function baselineRows(ctx: BenchContext, messages: number): Promise<string[]> {
  const baselineDir = process.env.BENCH_BASELINE_DIR;
  if (!baselineDir) return [];
  const gateway = await ctx.startGateway({ XMPP_DOMAIN: BASELINE_DOMAIN, XMPP_SECRET: BASELINE_SECRET }, baselineDir);
  const baseCtx = { ...ctx, gatewayUrl: gateway.url };
  await graphqlMessages(baseCtx, Math.round(messages / 5), CONCURRENCY);
  await restMessages(baseCtx, Math.round(messages / 5));
  const gqlMsg = await graphqlMessages(baseCtx, messages, CONCURRENCY);
  const restMsg = await restMessages(baseCtx, messages);
  await gateway.stop();
  return [
    formatRow(`baseline sendMessage × ${CONCURRENCY} → sink`, gqlMsg),
    formatRow(`baseline /rest POST message × ${CONCURRENCY} → sink`, restMsg),
    `${`baseline sendMessage ÷ /rest message × ${CONCURRENCY}`.padEnd(46)}  ${(gqlMsg.perSecond / restMsg.perSecond).toFixed(2).padStart(7)}×`,
  ];
}
