import { parseCommandLine } from './cli.ts';
import { ConfigError } from './config.ts';
import { helpText } from './config-help.ts';
import { createLogger } from './log.ts';
import { atLeast, MINIMUM_NODE } from './runtime.ts';
import { buildApp } from './server.ts';

// Only starts the app: everything else lives in buildApp, which the tests use in-process.
if (!atLeast(process.versions.node)) {
  process.stderr.write(
    `stanza-gateway: needs Node.js ${MINIMUM_NODE} or later (22 or 24 LTS); this is ${process.versions.node}\n`,
  );
  process.exit(1);
}
let cli;
try {
  cli = parseCommandLine(process.argv.slice(2), process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    const lines = error.problems.map((problem) => `configuration error: ${problem.setting}: ${problem.message}`);
    lines.push('`npm start -- --help` lists every setting; `npm run demo` runs a gateway that needs none');
    process.stderr.write(lines.map((line) => `stanza-gateway: ${line}\n`).join(''));
    process.exit(2);
  }
  throw error;
}
if (cli.kind === 'help') {
  process.stdout.write(helpText());
  process.exit(0);
}

const { config } = cli;
const log = createLogger(config.logLevel);
const app = buildApp(config, log);
try {
  await app.start();
} catch (error) {
  log.fatal({ err: error }, 'could not start');
  process.exit(1);
}

// SIGHUP: the scoped tokens (API_SCOPED_TOKENS) are read again, from the same command line,
// config file and environment; the rest of the configuration stays as it started. A file that
// no longer reads leaves the tokens as they were.
process.on('SIGHUP', () => {
  try {
    const reread = parseCommandLine(process.argv.slice(2), process.env);
    if (reread.kind !== 'run') return;
    app.reloadTokens(reread.config.auth.scopedTokens);
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [{ setting: '', message: String(error) }];
    log.error({ problems }, 'SIGHUP: the configuration does not read; the tokens are unchanged');
  }
});

/** EX_TEMPFAIL: a leader that lost its lease; its supervisor starts it again, as a standby. */
const STEPPED_DOWN_EXIT = 75;

let stopping = false;
function stop(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  app.stop().then(
    () => process.exit(exitCode),
    (error: unknown) => {
      log.error({ err: error }, 'error while stopping');
      process.exit(1);
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!stopping) log.info({ signal }, 'stopping');
    stop(0);
  });
}
app.onSteppedDown((reason) => {
  log.warn({ reason, exitCode: STEPPED_DOWN_EXIT }, 'exiting after stepping down; restart it to stand by again');
  stop(STEPPED_DOWN_EXIT);
});
