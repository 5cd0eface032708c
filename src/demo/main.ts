import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { buildApp } from '../server.ts';
import { banner } from './banner.ts';
import { DEMO_HELP, type DemoArgs, DemoUsageError, parseDemoArgs } from './demo-args.ts';
import { connectDemoUser, type DemoUser } from './demo-user.ts';
import { startEchoBot } from './echo-bot.ts';
import { startProsody } from './local-prosody.ts';
import { freePort, portIsFree } from './ports.ts';
import { postgresUrl } from '../setting-parsers.ts';
import { postgresProblem, withoutPassword } from './postgres-check.ts';
import { startReplicaSet, type ReplicaSet } from './replica-set.ts';
import { ensureServerInstalled, ServerMissing } from './server-install.ts';
import { selfCheck } from './self-check.ts';
import { runOnSupportedNode } from './supported-node.ts';

/**
 * `npm run demo`: a throwaway Prosody on loopback, a demo account, an echo bot as the webhook,
 * and the gateway against them with the embedded database, with ready-to-paste examples.
 * `--self-check` tries every face once and exits (0 when all worked). `--replicas N` runs N
 * gateway processes on Postgres behind a local proxy instead (demo-args.ts lists the options).
 * Ctrl-C stops everything it started.
 */
let args: DemoArgs;
try {
  args = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof DemoUsageError)) throw error;
  process.stderr.write(`demo: ${error.message}\n`);
  process.exit(2);
}
if (args.kind === 'help') {
  process.stdout.write(DEMO_HELP);
  process.exit(0);
}
await runOnSupportedNode('npm run demo');
const { selfCheck: selfCheckOnly, replicas } = args;
const BOT = 'echo@rest.localhost';
const say = (line: string) => process.stdout.write(`${line}\n`);

// Several replicas share one Postgres (the election and the delivery log): without one there is
// nothing to demonstrate, and the embedded database serves one process only.
const databaseUrl = process.env.DATABASE_URL;
if (replicas !== undefined) {
  if (!databaseUrl) {
    process.stderr.write(
      'demo: --replicas needs Postgres, shared by the replicas (their election and the delivery log): set ' +
        'DATABASE_URL, e.g.\n  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run demo -- --replicas ' +
        `${replicas}\n`,
    );
    process.exit(2);
  }
  // The gateway's own rule for the setting, before anything tries to connect with it.
  if (!postgresUrl.safeParse(databaseUrl).success) {
    process.stderr.write('demo: DATABASE_URL must be a postgres:// URL (postgresql://user@host:port/database)\n');
    process.exit(2);
  }
  const problem = await postgresProblem(databaseUrl);
  if (problem) {
    process.stderr.write(
      `demo: --replicas needs Postgres, and DATABASE_URL (${withoutPassword(databaseUrl)}) does not answer: ${problem}\n`,
    );
    process.exit(1);
  }
}

try {
  ensureServerInstalled('prosody', say);
} catch (error) {
  process.stderr.write(`demo: ${error instanceof ServerMissing ? error.message : String(error)}\n`);
  process.exit(1);
}

const token = randomBytes(18).toString('hex');
const userPassword = randomBytes(9).toString('hex');
const prosody = await startProsody({ users: { demo: userPassword }, componentSecret: randomBytes(18).toString('hex') });
const requestedPort = Number(process.env.HTTP_PORT ?? 8080);
const port = (await portIsFree(requestedPort)) ? requestedPort : await freePort();
if (port !== requestedPort) say(`Port ${requestedPort} is busy; using ${port} instead.`);

const bot = await startEchoBot(prosody.componentDomain);
// What every gateway of the demo is given, over the environment's settings.
const settings = {
  XMPP_SERVICE: prosody.componentService,
  XMPP_DOMAIN: prosody.componentDomain,
  XMPP_SECRET: prosody.componentSecret,
  API_TOKENS: token,
  CALLBACK_URL: bot.url,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
let user: DemoUser | undefined = undefined; // connected once the gateway runs
let gateway: { stop(): Promise<void> } | undefined = undefined;
// With --self-check and the embedded database, a directory of its own (below).
let selfCheckDir: string | undefined = undefined;

let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await user?.stop();
    await gateway?.stop();
    await bot.close();
    await prosody.dispose();
    if (selfCheckDir) await rm(selfCheckDir, { recursive: true, force: true });
    if (!selfCheckOnly)
      say(
        replicas === undefined
          ? "Demo stopped: the gateway, the echo bot and Prosody are down; Prosody's files are removed."
          : "Demo stopped: the replicas, the proxy, the echo bot and Prosody are down; Prosody's files are removed.",
      );
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const started = replicas === undefined ? await startInProcess() : await startReplicas(replicas);
const { url, domain } = started;
user = await connectDemoUser(prosody, 'demo', userPassword);

if (selfCheckOnly) {
  const problems = await selfCheck({ url, token, user, botJid: BOT });
  say(
    problems.length === 0
      ? 'demo self-check passed: /rest message and iq ping, webhook echo, delivery log over GraphQL, web console'
      : `demo self-check FAILED:\n  ${problems.join('\n  ')}`,
  );
  await stopAll(problems.length === 0 ? 0 : 1);
}
say(
  banner({
    url,
    token,
    domain,
    user: 'demo@localhost',
    userPassword,
    c2sService: prosody.c2sService,
    bot: BOT,
    database: started.database,
    ...(started.replicaSet && {
      replicas: { list: started.replicaSet.replicas(), current: started.replicaSet.current() },
    }),
  }),
);
user.onMessage((from, body) => say(`[demo@localhost] message from ${from}: ${body}`));

interface Started {
  url: string;
  domain: string;
  database: string;
  replicaSet?: ReplicaSet;
}

/** The gateway in this process, on the embedded database unless the environment names another. */
async function startInProcess(): Promise<Started> {
  // The embedded database by default, apart from a real gateway's ./data; DATABASE_URL or
  // DATA_DIR from the environment win. A self-check gets a directory of its own, removed
  // afterwards: it must work beside a running demo, whose DATA_DIR is locked (one process per
  // embedded database).
  selfCheckDir = selfCheckOnly ? await mkdtemp(join(tmpdir(), 'stanza-gateway-self-check-')) : undefined;
  const config = loadConfig({
    DATA_DIR: selfCheckDir ?? './data/demo',
    ...process.env,
    ...settings,
    HTTP_PORT: String(port),
  });
  const app = buildApp(config, createLogger(config.logLevel));
  gateway = app;
  const url = await app.start().then(
    (started) => started.url,
    (error: unknown) => {
      // Most often the embedded database is held by another demo or gateway (DATA_DIR is locked).
      process.stderr.write(
        `demo: the gateway did not start: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return stopAll(1);
    },
  );
  const deadline = Date.now() + 15_000;
  while (!app.core.online) {
    if (Date.now() > deadline) {
      process.stderr.write(
        `demo: the gateway did not connect to Prosody (${app.core.status().link.lastError ?? 'no error'})\n`,
      );
      await stopAll(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The console's first page is then quick; a build that fails is reported when it is opened.
  await app.warmConsole().catch(() => {});
  return {
    url,
    domain: config.xmpp.domain,
    database: config.databaseUrl ? 'Postgres (DATABASE_URL)' : `embedded, in ${config.deliveryLog.dataDir}`,
  };
}

/** `count` gateway processes with the election on, behind the ready proxy on the demo's port. */
async function startReplicas(count: number): Promise<Started> {
  const env = { ...settings, DATABASE_URL: databaseUrl!, HA_ELECTION: 'on' };
  try {
    // The replicas' settings, checked once here rather than refused by each replica.
    loadConfig({ ...process.env, ...env, HTTP_PORT: '0' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems)
      process.stderr.write(`demo: configuration error: ${problem.setting}: ${problem.message}\n`);
    return stopAll(2);
  }
  const replicaSet = await startReplicaSet({ count, env, port, say });
  gateway = replicaSet;
  // Migrations, the election and the link: a replica is ready within seconds.
  if (!(await replicaSet.waitReady(60_000))) {
    process.stderr.write('demo: no replica became ready within 60 s (their lines above say why)\n');
    await stopAll(1);
  }
  return {
    url: replicaSet.url,
    domain: prosody.componentDomain,
    database: `Postgres (DATABASE_URL: ${withoutPassword(databaseUrl!)}), shared by the replicas`,
    replicaSet,
  };
}
