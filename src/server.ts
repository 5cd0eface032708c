import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { BearerAuth } from './http/bearer-auth.ts';
import { CorsPolicy } from './http/cors.ts';
import { createConsoleMount } from './console/console-mount.ts';
import { createGraphqlFace } from './graphql/graphql-face.ts';
import { createHttpServer, type Mount } from './http/http-server.ts';
import { RequestTracker } from './http/request-tracker.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './ops/metrics.ts';
import { createOpsMount } from './ops/ops-mount.ts';
import type { ReadinessCheck } from './ops/readiness.ts';
import { databaseCheck } from './ops/database-check.ts';
import { registerWebhookMetrics } from './ops/webhook-metrics.ts';
import { createRestHandler, refuseStopping } from './rest/router.ts';
import { createWebhooks, type Webhooks } from './webhooks/index.ts';
import { XmppCore } from './xmpp/core.ts';

export interface App {
  core: XmppCore;
  metrics: Registry;
  /** The webhook face and its delivery log; undefined without CALLBACK_URL. */
  webhooks: Webhooks | undefined;
  /** Builds the web console's files now instead of at its first request. */
  warmConsole(): Promise<void>;
  /** Starts listening and connecting; resolves once HTTP listens (the link comes up by itself). */
  start(): Promise<{ url: string }>;
  /**
   * Graceful stop: refuse new requests; let those in progress and the webhook attempts in
   * flight finish, all within one SHUTDOWN_GRACE_MS; then close the component stream cleanly
   * and write the delivery log (what was not attempted stays pending for the next start).
   */
  stop(): Promise<void>;
}

/** Builds the gateway from a config; nothing listens or connects until start(). */
export function buildApp(config: Config, log: Logger): App {
  const core = new XmppCore(config.xmpp, log);
  const auth = new BearerAuth(config.auth.tokens);
  const cors = new CorsPolicy(config.http.corsOrigins);
  const metrics = createMetrics(core);
  const webhooks = createWebhooks(config, core, log);
  if (webhooks) registerWebhookMetrics(metrics, webhooks);
  const checks: ReadinessCheck[] = [
    {
      name: 'xmpp',
      check: () => {
        if (core.online) return Promise.resolve(undefined);
        const { state, lastError } = core.status().link;
        return Promise.resolve(lastError ? `link ${state}: ${lastError}` : `link ${state}`);
      },
    },
    ...(webhooks ? [databaseCheck(webhooks)] : []),
  ];
  const rest = createRestHandler({
    core,
    auth,
    cors,
    log,
    maxBodyBytes: config.rest.maxBodyBytes,
    iqTimeout: { defaultMs: config.iq.defaultTimeoutMs, maxMs: config.iq.maxTimeoutMs },
  });
  const graphql = createGraphqlFace(config, core, auth, log, webhooks, metrics);
  const consoleMount = createConsoleMount(log);
  const mounts: Mount[] = [
    {
      matches: (path) => path === '/rest' || path.startsWith('/rest/'),
      handle: rest,
      refuseStopping: (req, res) => refuseStopping(req, res, { core }),
    },
    graphql.mount,
    consoleMount,
    createOpsMount(metrics, checks),
  ];
  const tracker = new RequestTracker();
  const server = createHttpServer(mounts, log, tracker);
  graphql.attach(server);
  let stopping: Promise<void> | undefined;

  return {
    core,
    metrics,
    webhooks,
    warmConsole: () => consoleMount.warm(),
    async start() {
      // Before the link comes up, so no inbound stanza arrives without its listener.
      await webhooks?.start();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.http.port, config.http.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      const url = `http://${host}:${port}`;
      log.info({ url }, 'HTTP server listening');
      core.start();
      return { url };
    },
    stop() {
      // Once: a signal and a test's teardown may both ask, and closing twice is an error.
      stopping ??= (async () => {
        const deadline = Date.now() + config.shutdownGraceMs;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Subscriptions end first (SSE streams are requests the drain would wait for); inbound
        // iqs left to subscribers get their reply while the link is still up.
        await graphql.close();
        // Requests in progress and webhook attempts in flight share the rest of the one grace
        // period; the link stays up meanwhile, so the outcomes of the attempts that finish (and
        // iq replies) still reach their senders.
        const [{ abandoned }] = await Promise.all([
          tracker.drain(Math.max(0, deadline - Date.now())),
          webhooks?.drain(deadline),
        ]);
        if (abandoned > 0) log.warn({ abandoned }, 'stopped with requests still in progress');
        // Stanzas arriving until the stream is closed are logged pending (iqs are refused).
        await core.stop();
        await webhooks?.close();
        server.closeAllConnections();
        await closed;
        log.info('stopped');
      })();
      return stopping;
    },
  };
}
