import type { BenchContext, BenchSection } from '../support/context.ts';
import { type CountingClient, startCountingClient } from '../support/counting-client.ts';
import { createPoster } from '../support/http-load.ts';
import { summarise, type Summary } from '../support/stats.ts';

/**
 * /rest messages to a connected XMPP client at saturation (1 and 64 HTTP connections, each
 * sending as soon as its previous message was answered): the time to the answer (202) and the
 * rate at which messages really reach the client, beside the raw component sending the same way
 * (its "answer" is the socket taking the write) and, with BENCH_BASELINE_DIR, the other
 * checkout's gateway. A 202 that comes sooner than the server can process (a socket buffer
 * filling up) shows as a delivered rate below the answered rate.
 */
const RECIPIENT = 'sender15';
/** BENCH_BASELINE_DIR's gateway's component (bench/run.ts declares it); the /graphql section's too. */
export const BASELINE_DOMAIN = 'base.localhost';
export const BASELINE_SECRET = 'base-secret';

interface Run {
  /** Request → answer latencies. */
  answered: Summary;
  /** Messages per second from the first send to the last arrival at the client. */
  deliveredPerSecond: number;
}

type Sender = (id: string, i: number) => Promise<void>;

async function measure(client: CountingClient, total: number, concurrency: number, send: Sender): Promise<Run> {
  const tag = `deliv-${Date.now()}-${concurrency}-`;
  const { last: arrived } = await client.expect(tag, total);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next;
        next += 1;
        const t0 = performance.now();
        await send(`${tag}${i}`, i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const answered = summarise(latencies, (performance.now() - started) / 1000);
  const last = await Promise.race([
    arrived,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`not every message arrived within 120 s`)), 120_000).unref(),
    ),
  ]);
  return { answered, deliveredPerSecond: (total / (last - started)) * 1000 };
}

function restSender(url: string, token: string, concurrency: number) {
  const poster = createPoster(url, concurrency);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/xmpp+xml' };
  const send: Sender = async (id, i) => {
    const response = await poster.post(
      '/rest',
      headers,
      `<message type='chat' to='${RECIPIENT}@localhost' id='${id}'><body>m${i}</body></message>`,
    );
    if (response.status !== 202) throw new Error(`POST /rest answered ${response.status}: ${response.body}`);
  };
  return { send, close: () => poster.close() };
}

/** An iq ping written right after a message (not awaited), one at a time: Nagle's case. */
async function iqAfterMessage(url: string, token: string, rounds: number): Promise<Summary> {
  const poster = createPoster(url, 2);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/xmpp+xml' };
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < rounds; i += 1) {
    const message = poster.post('/rest', headers, `<message to='${RECIPIENT}@localhost'><body>n${i}</body></message>`);
    const t0 = performance.now();
    const iq = await poster.post('/rest', headers, "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
    latencies.push(performance.now() - t0);
    if (iq.status !== 200) throw new Error(`iq answered ${iq.status}`);
    await message;
  }
  poster.close();
  return summarise(latencies, (performance.now() - started) / 1000);
}

function row(name: string, run: Run, raw?: Run, baseline?: Run): string {
  const { answered } = run;
  const ratios = [
    raw ? `${((run.deliveredPerSecond / raw.deliveredPerSecond) * 100).toFixed(0)}% of raw` : '',
    baseline ? `${((run.deliveredPerSecond / baseline.deliveredPerSecond) * 100).toFixed(0)}% of baseline` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return [
    name.padEnd(34),
    `answered ${answered.perSecond.toFixed(0).padStart(6)}/s`,
    `p50 ${answered.p50.toFixed(2).padStart(7)} ms`,
    `p99 ${answered.p99.toFixed(2).padStart(7)} ms`,
    `delivered ${run.deliveredPerSecond.toFixed(0).padStart(6)}/s`,
    ratios,
  ].join('  ');
}

export const restDeliverySection: BenchSection = {
  name: '/rest messages → a connected client (answer latency, delivered rate)',
  async run(ctx: BenchContext) {
    // In a process of its own: receiving must not slow down the load generator.
    const client = await startCountingClient(ctx.prosody.c2sService, RECIPIENT, ctx.senderPassword);
    const baselineDir = process.env.BENCH_BASELINE_DIR;
    const baseline = baselineDir
      ? await ctx.startGateway({ XMPP_DOMAIN: BASELINE_DOMAIN, XMPP_SECRET: BASELINE_SECRET }, baselineDir)
      : undefined;
    const rows: string[] = [];
    try {
      for (const [concurrency, total] of [
        [1, Math.round(3_000 * ctx.scale)],
        [64, Math.round(10_000 * ctx.scale)],
      ] as const) {
        const raw = await measure(client, total, concurrency, (id, i) =>
          ctx.raw.entity.write(
            `<message type='chat' from='raw.localhost' to='${RECIPIENT}@localhost' id='${id}'><body>m${i}</body></message>`,
          ),
        );
        rows.push(row(`raw component × ${concurrency}`, raw));
        let before: Run | undefined;
        if (baseline) {
          const sender = restSender(baseline.url, ctx.token, concurrency);
          before = await measure(client, total, concurrency, sender.send);
          sender.close();
          rows.push(row(`baseline /rest × ${concurrency}`, before, raw));
        }
        const sender = restSender(ctx.gatewayUrl, ctx.token, concurrency);
        rows.push(row(`/rest × ${concurrency}`, await measure(client, total, concurrency, sender.send), raw, before));
        sender.close();
      }
      const rounds = Math.round(500 * ctx.scale);
      const show = (name: string, summary: Summary) =>
        `${name.padEnd(34)}  p50 ${summary.p50.toFixed(2).padStart(7)} ms  p99 ${summary.p99.toFixed(2).padStart(7)} ms`;
      if (baseline)
        rows.push(show('baseline: iq right after a message', await iqAfterMessage(baseline.url, ctx.token, rounds)));
      rows.push(show('iq right after a message', await iqAfterMessage(ctx.gatewayUrl, ctx.token, rounds)));
      return rows;
    } finally {
      await baseline?.stop();
      await client.stop();
    }
  },
};
