import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { buildApp } from '../server.ts';
import { banner } from './banner.ts';
import { connectDemoUser, type DemoUser } from './demo-user.ts';
import { startEchoBot } from './echo-bot.ts';
import { startProsody } from './local-prosody.ts';
import { freePort, portIsFree } from './ports.ts';
import { ensureServerInstalled, ServerMissing } from './server-install.ts';
import { selfCheck } from './self-check.ts';
import { runOnSupportedNode } from './supported-node.ts';

/**
 * `npm run demo`: a throwaway Prosody on loopback, a demo account, an echo bot as the webhook,
 * and the gateway against them with the embedded database, with ready-to-paste examples.
 * `--self-check` tries every face once and exits (0 when all worked). Ctrl-C stops everything
 * it started.
 */
await runOnSupportedNode('npm run demo');
const selfCheckOnly = process.argv.includes('--self-check');
const BOT = 'echo@rest.localhost';
const say = (line: string) => process.stdout.write(`${line}\n`);

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
// The embedded database by default, apart from a real gateway's ./data; DATABASE_URL or DATA_DIR
// from the environment win. A self-check gets a directory of its own, removed afterwards: it
// must work beside a running demo, whose DATA_DIR is locked (one process per embedded database).
const selfCheckDir = selfCheckOnly ? await mkdtemp(join(tmpdir(), 'stanza-gateway-self-check-')) : undefined;
const config = loadConfig({
  DATA_DIR: selfCheckDir ?? './data/demo',
  ...process.env,
  XMPP_SERVICE: prosody.componentService,
  XMPP_DOMAIN: prosody.componentDomain,
  XMPP_SECRET: prosody.componentSecret,
  API_TOKENS: token,
  HTTP_PORT: String(port),
  CALLBACK_URL: bot.url,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
});
const app = buildApp(config, createLogger(config.logLevel));
let user: DemoUser | undefined = undefined; // connected once the gateway runs

let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await user?.stop();
    await app.stop();
    await bot.close();
    await prosody.dispose();
    if (selfCheckDir) await rm(selfCheckDir, { recursive: true, force: true });
    if (!selfCheckOnly)
      say("Demo stopped: the gateway, the echo bot and Prosody are down; Prosody's files are removed.");
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

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
user = await connectDemoUser(prosody, 'demo', userPassword);

await waitOnline();
// The console's first page is then quick; a build that fails is reported when it is opened.
await app.warmConsole().catch(() => {});
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
    domain: config.xmpp.domain,
    user: 'demo@localhost',
    userPassword,
    c2sService: prosody.c2sService,
    bot: BOT,
    database: config.databaseUrl ? 'Postgres (DATABASE_URL)' : `embedded, in ${config.deliveryLog.dataDir}`,
  }),
);
user.onMessage((from, body) => say(`[demo@localhost] message from ${from}: ${body}`));

async function waitOnline(): Promise<void> {
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
}
