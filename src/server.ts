import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { BearerAuth } from './http/bearer-auth.ts';
import { CorsPolicy } from './http/cors.ts';
import { createGraphqlFace } from './graphql/graphql-face.ts';
import { createHttpServer, type Mount } from './http/http-server.ts';
import type { Logger } from './log.ts';
import { createRestHandler } from './rest/router.ts';
import { XmppCore } from './xmpp/core.ts';

export interface App {
  core: XmppCore;
  /** Starts listening and connecting; resolves once HTTP listens (the link comes up by itself). */
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
}

/** Builds the gateway from a config; nothing listens or connects until start(). */
export function buildApp(config: Config, log: Logger): App {
  const core = new XmppCore(config.xmpp, log);
  const auth = new BearerAuth(config.auth.tokens);
  const cors = new CorsPolicy(config.http.corsOrigins);
  const rest = createRestHandler({
    core,
    auth,
    cors,
    log,
    maxBodyBytes: config.rest.maxBodyBytes,
    iqTimeout: { defaultMs: config.iq.defaultTimeoutMs, maxMs: config.iq.maxTimeoutMs },
  });
  const graphql = createGraphqlFace(config, core, auth, log);
  const mounts: Mount[] = [
    { matches: (path) => path === '/rest' || path.startsWith('/rest/'), handle: rest },
    graphql.mount,
  ];
  const server = createHttpServer(mounts, log);
  graphql.attach(server);

  return {
    core,
    async start() {
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
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Before the core stops: pending inbound iqs still get their reply on the open link.
      await graphql.close();
      await core.stop();
      server.closeAllConnections();
      await closed;
    },
  };
}
