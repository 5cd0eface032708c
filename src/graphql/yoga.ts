import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { GraphQLSchema } from 'graphql';
import type { Registry } from 'prom-client';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import type { TokenIdentity } from '../auth/bearer-auth.ts';
import type { Logger } from '../log.ts';
import type { GraphqlContext } from '../schema/index.ts';
import type { SubscriptionQuota } from '../subscribers/subscription-quota.ts';
import { createOperationMetrics } from './metrics-plugin.ts';
import { useSubscriptionQuota } from './subscription-quota-plugin.ts';

/**
 * The yoga instance behind /graphql: HTTP queries and mutations and SSE subscriptions, once
 * http-mount.ts has checked the token and read the body (GraphiQL is served there too).
 * graphql-ws (websocket.ts) executes through the same instance, so the limits below apply to
 * every transport.
 */
export const GRAPHQL_PATH = '/graphql';

/**
 * What each transport hands yoga: the HTTP request (the upgrade request for graphql-ws) and, for
 * graphql-ws, the identity its connection authenticated with.
 */
export interface ServerContext {
  req: IncomingMessage;
  identity?: TokenIdentity;
}

export interface YogaOptions {
  schema: GraphQLSchema;
  /** Called once per operation (per HTTP request, SSE stream, or graphql-ws operation). */
  context: (server: ServerContext) => GraphqlContext;
  quota: SubscriptionQuota;
  corsOrigins: readonly string[];
  limits: { maxDepth: number; maxCost: number };
  log: Logger;
  metrics: Registry;
}

export type GraphqlYoga = YogaServerInstance<ServerContext, GraphqlContext>;

function cors(origins: readonly string[]) {
  // Yoga treats an empty origin list as "any origin": no configured origin must mean no CORS.
  if (origins.length === 0) return false as const;
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    credentials: false,
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-GraphQL-Yoga-CSRF'],
    methods: ['GET', 'POST', 'OPTIONS'],
    maxAge: 600,
  };
}

export function createGraphqlYoga(options: YogaOptions): GraphqlYoga {
  const { log } = options;
  const operationMetrics = createOperationMetrics(options.metrics);
  return createYoga<ServerContext, GraphqlContext>({
    schema: options.schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: (server) => options.context(server),
    landingPage: false,
    batching: false,
    cors: cors(options.corsOrigins),
    // Stack traces never leave the process, whatever NODE_ENV says; unexpected errors are
    // logged and answered "Unexpected error."
    maskedErrors: { isDev: false },
    // Served by http-mount.ts from cached, compressed assets (graphiql-assets.ts).
    graphiql: false,
    logging: {
      debug: (...args) => log.debug({ yoga: args.map(String) }, 'graphql'),
      info: (...args) => log.info({ yoga: args.map(String) }, 'graphql'),
      warn: (...args) => log.warn({ yoga: args.map(String) }, 'graphql'),
      error: (...args) =>
        log.error({ err: args.find((arg) => arg instanceof Error) }, 'unexpected failure in a GraphQL operation'),
    },
    plugins: [
      useSubscriptionQuota(options.quota, operationMetrics.subscriptions),
      operationMetrics.plugin,
      // Refuses what a browser sends cross-site without a CORS preflight (form posts, plain
      // GETs) unless it carries X-GraphQL-Yoga-CSRF. The bearer token already stops such
      // requests; this keeps them stopped should a cookie or ambient credential ever appear.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      EnvelopArmorPlugin({
        maxDepth: { n: options.limits.maxDepth },
        costLimit: { maxCost: options.limits.maxCost },
        maxAliases: { n: 30 },
        maxDirectives: { n: 30 },
        maxTokens: { n: 2000 },
        blockFieldSuggestion: { enabled: true },
      }),
    ],
  });
}
