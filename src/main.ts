import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { buildApp } from './server.ts';

// Only starts the app: everything else lives in buildApp, which the tests use in-process.
let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`stanza-gateway: configuration error: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

const log = createLogger(config.logLevel);
const app = buildApp(config, log);
try {
  await app.start();
} catch (error) {
  log.fatal({ err: error }, 'could not start');
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  });
}
