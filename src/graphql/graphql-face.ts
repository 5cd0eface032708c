import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { BearerAuth } from '../http/bearer-auth.ts';
import type { Mount } from '../http/http-server.ts';
import type { Logger } from '../log.ts';
import { AttemptsLoader } from '../schema/attempts-loader.ts';
import { schema, type SharedContext } from '../schema/index.ts';
import { InboundSubscriptions } from '../subscribers/inbound-subscriptions.ts';
import type { Webhooks } from '../webhooks/index.ts';
import type { XmppCore } from '../xmpp/core.ts';
import { attachGraphqlWebSocket, type GraphqlWebSocket } from './websocket.ts';
import { createGraphqlYoga, GRAPHQL_PATH } from './yoga.ts';

/**
 * The GraphQL face, composed: the subscriber hub over the core, the yoga instance (HTTP, SSE,
 * GraphiQL) as a mount of the one HTTP listener, and graphql-ws on that listener's upgrades.
 */
export interface GraphqlFace {
  mount: Mount;
  subscriptions: InboundSubscriptions;
  /** Accepts WebSocket upgrades on the listener; call once, before it listens. */
  attach(server: Server): void;
  /** Ends every subscription (`stanzas` and `deliveries`; pending iqs answered) and closes every socket. */
  close(): Promise<void>;
}

export function createGraphqlFace(
  config: Config,
  core: XmppCore,
  auth: BearerAuth,
  log: Logger,
  webhooks: Pick<Webhooks, 'log' | 'status'> | undefined,
  metrics: Registry,
): GraphqlFace {
  const subscriptions = new InboundSubscriptions(
    core,
    { bufferMax: config.graphql.subscriptionBufferMax, answerTimeoutMs: config.iq.answerTimeoutMs },
    log,
  );
  const deliveryLog = webhooks?.log;
  const shared: SharedContext = {
    core,
    subscriptions,
    iqTimeout: { defaultMs: config.iq.defaultTimeoutMs, maxMs: config.iq.maxTimeoutMs },
    maxStanzaBytes: config.rest.maxBodyBytes,
    deliveryLog,
    webhookStatus: webhooks && (() => webhooks.status()),
    subscriptionBufferMax: config.graphql.subscriptionBufferMax,
  };
  const yoga = createGraphqlYoga({
    schema,
    context: () => ({ ...shared, attempts: new AttemptsLoader(deliveryLog) }),
    auth,
    realm: core.domain,
    corsOrigins: config.http.corsOrigins,
    limits: { maxDepth: config.graphql.maxDepth, maxCost: config.graphql.maxCost },
    log,
    metrics,
  });
  let socket: GraphqlWebSocket | undefined;

  return {
    subscriptions,
    mount: {
      matches: (path) => path === GRAPHQL_PATH || path === `${GRAPHQL_PATH}/`,
      handle: (req, res) => yoga.requestListener(req, res),
    },
    attach(server) {
      socket = attachGraphqlWebSocket(server, yoga, auth, log);
    },
    async close() {
      // Open SSE streams are requests in progress: left open, a stop would wait its whole grace.
      deliveryLog?.closeSubscriptions();
      await Promise.all([subscriptions.close(), socket?.close()]);
    },
  };
}
