import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element } from 'ltx';
import { createTestDatabase, queryDatabase } from '../../test/support/postgres.ts';
import { startReceiver } from '../../test/support/receiver.ts';
import { connectUser, type XmppUser } from '../../test/support/xmpp-user.ts';
import type { BenchContext, BenchSection } from '../support/context.ts';
import type { GatewayProcess } from '../../test/support/gateway-process.ts';
import { formatRow, summarise, type Summary } from '../support/stats.ts';

/**
 * Webhook delivery end to end: XMPP clients → Prosody → gateway (its own process, delivery log
 * on) → a local HTTP receiver, beside the same clients sending the same messages to a bare
 * component (the raw figure). Latency: from the client's write to the receiver's first POST
 * of that message. The run ends when every message was POSTed and the log holds them all.
 */
const SENDERS = 16;
const DELIVERED = `SELECT count(*) AS n FROM "Delivery" WHERE "stanzaId" LIKE $1 AND status = 'delivered'`;

/** Each sender writes its messages as fast as its socket takes them (one lane per sender). */
async function blast(
  clients: XmppUser[],
  perSender: number,
  to: string,
  tag: string,
  sent: Map<string, number>,
): Promise<void> {
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < perSender; i += 1) {
        const id = `${tag}-${c}-${i}`;
        sent.set(id, performance.now());
        await client.sendXml(`<message to='${to}' id='${id}' type='chat'><body>bench ${i}</body></message>`);
      }
    }),
  );
}

/** Resolves with latencies once `total` distinct ids of `tag` were seen. */
function collector(tag: string, total: number, sent: Map<string, number>) {
  const latencies = new Map<string, number>();
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  return {
    all,
    see(id: string | undefined) {
      if (!id?.startsWith(tag) || latencies.has(id)) return;
      latencies.set(id, performance.now() - sent.get(id)!);
      if (latencies.size === total) done();
    },
    latencies: () => [...latencies.values()],
  };
}

async function rawRun(ctx: BenchContext, clients: XmppUser[], perSender: number): Promise<Summary> {
  const tag = `raw${Date.now()}`;
  const sent = new Map<string, number>();
  const seen = collector(tag, clients.length * perSender, sent);
  const off = ctx.sink.onStanza((stanza: Element) => seen.see(stanza.attrs.id));
  const started = performance.now();
  await blast(clients, perSender, 'bot@sink.localhost', tag, sent);
  await seen.all;
  off();
  return summarise(seen.latencies(), (performance.now() - started) / 1000);
}

/** One gateway process (this checkout's, or the one in `cwd`), its own fresh database. */
async function webhookRun(
  ctx: BenchContext,
  clients: XmppUser[],
  perSender: number,
  store: 'postgres' | 'embedded',
  cwd?: string,
): Promise<Summary> {
  const receiver = await startReceiver(() => ({ status: 202 }));
  const database =
    store === 'postgres' ? await createTestDatabase() : { dataDir: await mkdtemp(join(tmpdir(), 'sg-bench-')) };
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await ctx.startGateway(
      {
        XMPP_DOMAIN: 'hook.localhost',
        XMPP_SECRET: 'hook-secret',
        CALLBACK_URL: receiver.url,
        ...('url' in database ? { DATABASE_URL: database.url } : { DATA_DIR: database.dataDir }),
      },
      cwd,
    );
    const to = 'bot@hook.localhost';
    // A short warm-up: the first deliveries pay for JIT and connection set-up.
    const warm = collector('warm', clients.length * 5, new Map());
    receiver.handle((request) => {
      warm.see(/id='([^']*)'/.exec(request.body)?.[1]);
      return { status: 202 };
    });
    await blast(clients, 5, to, 'warm', new Map());
    await warm.all;

    const tag = `hook${Date.now()}`;
    const sent = new Map<string, number>();
    const total = clients.length * perSender;
    const seen = collector(tag, total, sent);
    receiver.handle((request) => {
      seen.see(/id='([^']*)'/.exec(request.body)?.[1]);
      return { status: 202 };
    });
    const started = performance.now();
    await blast(clients, perSender, to, tag, sent);
    await seen.all;
    // "With logging": the run ends when the log holds every delivery as delivered. Postgres is
    // asked directly; the embedded database is the gateway's own, so its metric tells.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const caughtUp =
        'url' in database
          ? Number((await queryDatabase<{ n: string }>(database.url, DELIVERED, [`${tag}-%`]))[0]?.n) === total
          : ((await gateway.metrics()).get('stanza_gateway_delivery_log_buffered_writes') ?? 0) === 0;
      if (caughtUp) break;
      if (Date.now() > deadline) throw new Error('the delivery log did not catch up within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const summary = summarise(seen.latencies(), (performance.now() - started) / 1000);
    return summary;
  } finally {
    await gateway?.stop();
    await receiver.close();
    if ('drop' in database) await database.drop();
    else await rm(database.dataDir, { recursive: true, force: true });
  }
}

export const webhookSection: BenchSection = {
  name: 'webhooks (inbound message → CALLBACK_URL, delivery log on)',
  async run(ctx) {
    const perSender = Math.round(250 * ctx.scale);
    const clients = await Promise.all(
      ctx.senders.slice(0, SENDERS).map((name, i) => connectUser(ctx.prosody, name, ctx.senderPassword, `b${i}`)),
    );
    // BENCH_BASELINE_DIR: another checkout (node_modules and generated/ in place) whose gateway
    // runs the same workload in the same run, each before this one: before/after on one machine state.
    const baseline = process.env.BENCH_BASELINE_DIR;
    try {
      const raw = await rawRun(ctx, clients, perSender);
      const rows = [formatRow(`raw: ${SENDERS} clients × ${perSender} messages → component`, raw)];
      for (const [store, name] of [
        ['postgres', 'Postgres'],
        ['embedded', 'embedded PGlite'],
      ] as const) {
        if (baseline)
          rows.push(
            formatRow(
              `baseline: webhook, log on ${name}`,
              await webhookRun(ctx, clients, perSender, store, baseline),
              raw,
            ),
          );
        rows.push(formatRow(`webhook, log on ${name}`, await webhookRun(ctx, clients, perSender, store), raw));
      }
      return rows;
    } finally {
      for (const client of clients) await client.stop();
    }
  },
};
