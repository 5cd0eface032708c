import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type TestGateway } from './gateway.ts';
import type { XmppServer } from './xmpp-server.ts';

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
  prosody: XmppServer,
  callbackUrl: string,
  databaseUrl: string | undefined,
  env: Record<string, string> = {},
): Promise<TestGateway & { dataDir: string | undefined }> {
  const dataDir = databaseUrl ? undefined : await mkdtemp(join(tmpdir(), 'sg-data-'));
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
      if (dataDir && !env.DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
