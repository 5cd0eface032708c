import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscriptionsOpen } from '../../test/support/fan-out-fairness.ts';
import type { GatewayProcess } from '../../test/support/gateway-process.ts';
import { startSwarm } from '../../test/support/subscriber-swarm.ts';
import type { BenchContext, BenchSection } from '../support/context.ts';

/**
 * The gateway's memory: its resident set (VmRSS of its process, as the kernel counts it) idle,
 * then with 10,000 idle graphql-ws subscriptions open (40 sockets, in a process of their own),
 * each read after a full garbage collection (bench/support/memory-probe.mjs). The goal
 * (issue #13): at most 300 MB in all with the 10,000 subscriptions. Measured on the build, as
 * `npm start` runs it, and through tsx, as the other sections run it: tsx holds each module's
 * transformed source and source map, and its keepNames helper gives every named closure a
 * property table of its own (about 250 bytes each), so it costs more idle and per subscription.
 */
export const MEMORY_DOMAIN = 'memory.localhost';
export const MEMORY_SECRET = 'memory-secret';
const SOCKETS = 40;
const MB = 1024 * 1024;

interface MemoryFigures {
  rss: number;
  /** process.memoryUsage() and, by V8 heap space, the bytes resident. */
  usage: NodeJS.MemoryUsage & { spaces: Record<string, number> };
}

async function vmRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

/** Asks the probe for a collection and process.memoryUsage(), then reads VmRSS. */
async function measure(gateway: GatewayProcess, file: string): Promise<MemoryFigures> {
  await rm(file, { force: true });
  gateway.signal('SIGUSR2');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    // Written in one call, but it may be read half-written.
    if (text.endsWith('}')) {
      // Pages freed by the collection are returned to the kernel within moments.
      await new Promise((resolve) => setTimeout(resolve, 500));
      return { rss: await vmRss(gateway.pid), usage: JSON.parse(text) as MemoryFigures['usage'] };
    }
    if (Date.now() > deadline) throw new Error('the memory probe did not answer');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;
const breakdown = ({ usage }: MemoryFigures) =>
  `heap used ${mb(usage.heapUsed)} of ${mb(usage.heapTotal)} (new space ${mb(usage.spaces.new_space ?? 0)}, ` +
  `code ${mb(usage.spaces.code_space ?? 0)}), external ${mb(usage.external)} (array buffers ${mb(usage.arrayBuffers)})`;

/** `npm run build` in that checkout: tsc, incremental, into dist/. */
function build(cwd = process.cwd()): void {
  const tsc = join(cwd, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd, stdio: 'inherit' });
}

async function run(ctx: BenchContext, subscriptions: number, built: boolean, cwd?: string): Promise<string[]> {
  if (built) build(cwd);
  const file = join(tmpdir(), `stanza-gateway-memory-${process.pid}-${Date.now()}.json`);
  const probe = new URL('../support/memory-probe.mjs', import.meta.url).pathname;
  const gateway = await ctx.startGateway(
    {
      XMPP_DOMAIN: MEMORY_DOMAIN,
      XMPP_SECRET: MEMORY_SECRET,
      SUBSCRIPTIONS_MAX: String(subscriptions),
      SUBSCRIPTIONS_PER_TOKEN_MAX: String(subscriptions),
      BENCH_MEMORY_FILE: file,
    },
    cwd,
    { nodeArgs: ['--expose-gc', '--import', probe], built },
  );
  try {
    // Settled: whatever start-up allocates lazily has been allocated.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = await measure(gateway, file);
    const swarm = await startSwarm({
      url: gateway.url,
      token: ctx.token,
      sockets: SOCKETS,
      perSocket: Math.ceil(subscriptions / SOCKETS),
      query: `subscription { stanzas(filter: { kinds: [MESSAGE], to: ["bot@${MEMORY_DOMAIN}"] }) { id } }`,
    });
    try {
      const deadline = Date.now() + 300_000;
      while ((await subscriptionsOpen(gateway.url, ctx.token)) < subscriptions) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${subscriptions} subscriptions`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const open = await measure(gateway, file);
      const perSubscription = (open.rss - idle.rss) / subscriptions / 1024;
      return [
        `RSS idle: ${mb(idle.rss)} (${breakdown(idle)})`,
        `RSS with ${subscriptions} idle graphql-ws subscriptions (${SOCKETS} sockets): ${mb(open.rss)} ` +
          `(${breakdown(open)})`,
        `per subscription: ${perSubscription.toFixed(1)} KB RSS, ` +
          `${((open.usage.heapUsed - idle.usage.heapUsed) / subscriptions / 1024).toFixed(1)} KB heap`,
      ];
    } finally {
      await swarm.stop();
    }
  } finally {
    await gateway.stop();
    await rm(file, { force: true });
  }
}

export const memorySection: BenchSection = {
  name: 'memory',
  async run(ctx) {
    const subscriptions = Math.round(10_000 * ctx.scale);
    const result: string[] = [];
    const baselineDir = process.env.BENCH_BASELINE_DIR;
    for (const built of [true, false]) {
      const how = built ? 'built' : 'tsx';
      result.push(...(await run(ctx, subscriptions, built)).map((row) => `gateway (${how}) ${row}`));
      if (baselineDir)
        result.push(...(await run(ctx, subscriptions, built, baselineDir)).map((row) => `baseline (${how}) ${row}`));
    }
    return result;
  },
};
