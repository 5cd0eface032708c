import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ComponentEndpoint, startGateway, type TestGateway } from './gateway.ts';

/**
 * The gateway with a webhook, on short timeouts and retry schedules so that every file stays
 * fast, logging to the given database (a DATABASE_URL), or to an embedded one in a temp
 * DATA_DIR when `databaseUrl` is undefined.
 */
export const FAST_WEBHOOK_ENV = {
  WEBHOOK_TIMEOUT_MS: '600',
  WEBHOOK_RETRY_MAX_ATTEMPTS: '3',
  WEBHOOK_RETRY_MIN_MS: '50',
  WEBHOOK_RETRY_MAX_MS: '150',
  WEBHOOK_RETRY_WINDOW_MS: '5000',
  // A stop waits at most this long for attempts in flight.
  SHUTDOWN_GRACE_MS: '2000',
};

export async function startWebhookGateway(
  prosody: ComponentEndpoint,
  callbackUrl: string,
  databaseUrl: string | undefined,
  env: Record<string, string> = {},
): Promise<TestGateway & { dataDir: string | undefined }> {
  // A DATA_DIR given in `env` belongs to the caller; one made here goes with the gateway.
  const made = databaseUrl || env.DATA_DIR ? undefined : await mkdtemp(join(tmpdir(), 'sg-data-'));
  const dataDir = databaseUrl ? undefined : (env.DATA_DIR ?? made);
  const gateway = await startGateway(prosody, {
    ...FAST_WEBHOOK_ENV,
    CALLBACK_URL: callbackUrl,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir! }),
    ...env,
  });
  return {
    ...gateway,
    dataDir,
    async stop() {
      await gateway.stop();
      if (made) await rm(made, { recursive: true, force: true });
    },
  };
}
