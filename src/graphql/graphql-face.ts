import type { IncomingMessage, Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { BearerAuth, TokenIdentity } from '../auth/bearer-auth.ts';
import type { GatewayRole } from '../ha/role.ts';
import type { CorsPolicy } from '../http/cors.ts';
import type { Mount } from '../http/http-server.ts';
import type { InboundJournal } from '../journal/inbound-journal.ts';
import type { Logger } from '../log.ts';
import { type GraphqlContext, schema } from '../schema/index.ts';
import { InboundSubscriptions } from '../subscribers/inbound-subscriptions.ts';
import { SubscriptionQuota } from '../subscribers/subscription-quota.ts';
import type { Webhooks } from '../webhooks/index.ts';
import type { XmppCore } from '../xmpp/core.ts';
import { createGraphiqlPage } from './graphiql-page.ts';
import { createGraphqlMount } from './http-mount.ts';
import { createJsonFastPath } from './json-fast-path.ts';
import { attachGraphqlWebSocket, type GraphqlWebSocket } from './websocket.ts';
import { createGraphqlYoga, GRAPHQL_PATH } from './yoga.ts';

/**
 * The GraphQL face, composed: the subscriber hub over the core, the subscription quota, the
 * yoga instance (HTTP, SSE) behind a mount of the one HTTP listener that also serves GraphiQL,
 * and graphql-ws on that listener's upgrades.
 */
export interface GraphqlFace {
  mount: Mount;
  subscriptions: InboundSubscriptions;
  quota: SubscriptionQuota;
  /** Accepts WebSocket upgrades on the listener (none while `standby()`); call once, before it listens. */
  attach(server: Server, standby?: () => boolean): void;
  /** Ends every subscription (`stanzas` and `deliveries`; pending iqs answered) and closes every socket. */
  close(): Promise<void>;
}

export function createGraphqlFace(
  config: Config,
  core: XmppCore,
  auth: BearerAuth,
  cors: CorsPolicy,
  log: Logger,
  webhooks: Pick<Webhooks, 'log' | 'status'> | undefined,
  metrics: Registry,
  journal?: InboundJournal,
  role: () => GatewayRole = () => 'single',
): GraphqlFace {
  const subscriptions = new InboundSubscriptions(
    core,
    { bufferMax: config.graphql.subscriptionBufferMax, answerTimeoutMs: config.iq.answerTimeoutMs },
    log,
  );
  const deliveryLog = webhooks?.log;
  const shared: Omit<GraphqlContext, 'identity'> = {
    core,
    subscriptions,
    iqTimeout: { defaultMs: config.iq.defaultTimeoutMs, maxMs: config.iq.maxTimeoutMs },
    maxStanzaBytes: config.rest.maxBodyBytes,
    maxArchiveResults: config.rest.maxArchiveResults,
    deliveryLog,
    webhookStatus: webhooks && (() => webhooks.status()),
    subscriptionBufferMax: config.graphql.subscriptionBufferMax,
    journal,
    role,
  };
  const quota = new SubscriptionQuota({
    total: config.graphql.subscriptionsMax,
    perToken: config.graphql.subscriptionsPerTokenMax,
  });
  // Set by the mount (HTTP), or carried from the socket's connection_init (graphql-ws).
  const identities = new WeakMap<IncomingMessage, TokenIdentity>();
  const yoga = createGraphqlYoga({
    schema,
    // Merged into the context yoga makes per operation, where the Dataloader plugin keeps its loaders.
    context: ({ req, identity }) => ({ ...shared, identity: identity ?? identities.get(req) }),
    quota,
    corsOrigins: config.http.corsOrigins,
    limits: { maxDepth: config.graphql.maxDepth, maxCost: config.graphql.maxCost },
    log,
    metrics,
  });
  const mount = createGraphqlMount({
    yoga,
    auth,
    cors,
    realm: core.domain,
    maxBodyBytes: config.graphql.maxBodyBytes,
    graphiql: createGraphiqlPage({ title: 'Stanza Gateway', endpoint: GRAPHQL_PATH, domain: core.domain }),
    identities,
    fastPath: config.graphql.httpFastPath === 'on' ? createJsonFastPath(yoga, metrics) : undefined,
  });
  let socket: GraphqlWebSocket | undefined;

  return {
    subscriptions,
    quota,
    mount,
    attach(server, standby) {
      socket = attachGraphqlWebSocket(server, yoga, auth, log, config.graphql.maxBodyBytes, standby);
    },
    async close() {
      // Open SSE streams are requests in progress: left open, a stop would wait its whole grace.
      deliveryLog?.closeSubscriptions();
      await Promise.all([subscriptions.close(), socket?.close()]);
    },
  };
}
