import type { IncomingMessage, Server } from 'node:http';
import { type DocumentNode, type ExecutionArgs, GraphQLError, type GraphQLSchema } from 'graphql';
import { CloseCode, type ConnectionInitMessage, type OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { type ServerOptions, WebSocketServer, type WebSocket } from 'ws';
import { isGatewayError } from '../errors/gateway-error.ts';
import type { BearerAuth, TokenIdentity } from '../auth/bearer-auth.ts';
import type { Logger } from '../log.ts';
import type { GraphqlYoga } from './yoga.ts';

/**
 * graphql-ws subscriptions (and queries, mutations) on the same port and path as HTTP, executed
 * through the yoga instance (its schema, context and limits: yoga's "GraphQL over WebSocket"
 * recipe, docs/dependencies.md). Auth is in `connectionParams`:
 * `{ authorization: "Bearer <token>" }` or `{ token: "<token>" }`.
 * Without credentials the socket is closed with 4401 (graphql-ws's CloseCode.Unauthorized), with
 * wrong ones 4403 (CloseCode.Forbidden). close() ends every socket.
 */
type Extra = { socket: WebSocket; request: IncomingMessage; identity?: TokenIdentity };

interface Executors {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

/** What yoga's getEnveloped() hands back, typed (envelop types it loosely). */
interface Enveloped extends Executors {
  schema: GraphQLSchema;
  contextFactory: () => unknown;
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
}

function authorizationOf(params: ConnectionInitMessage['payload']): string | undefined {
  if (!params) return undefined;
  const header = params.authorization ?? params.Authorization;
  if (typeof header === 'string') return header;
  if (typeof params.token === 'string') return `Bearer ${params.token}`;
  return undefined;
}

export interface GraphqlWebSocket {
  close(): Promise<void>;
}

/**
 * How long a socket may take to answer our close frame before it is cut. ws waits 30 s by
 * default (its CLOSE_TIMEOUT), and dispose() waits for every socket: one unresponsive client
 * would hold up a stop that long. `closeTimeout` is a ws 8.23 server option its types lack.
 */
const CLOSE_TIMEOUT_MS = 1000;

export function attachGraphqlWebSocket(
  server: Server,
  yoga: GraphqlYoga,
  auth: BearerAuth,
  log: Logger,
  /** The largest message a client may send (GRAPHQL_MAX_BODY_BYTES); past it ws closes with 1009. */
  maxPayload: number,
  /** True on a standby (HA_ELECTION): upgrades are refused with 503 and Retry-After. */
  standby: () => boolean = () => false,
): GraphqlWebSocket {
  const options: ServerOptions & { closeTimeout: number } = {
    server,
    path: yoga.graphqlEndpoint,
    maxPayload,
    closeTimeout: CLOSE_TIMEOUT_MS,
    // Before the handshake, as the HTTP faces refuse: a socket opened here would never see a stanza.
    verifyClient: (_info, accept) => {
      if (standby()) accept(false, 503, 'Service Unavailable: standby', { 'Retry-After': '1' });
      else accept(true);
    },
  };
  const wss = new WebSocketServer(options);

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      // The root value carries yoga's enveloped executors (set in onSubscribe).
      execute: (args) => (args.rootValue as Executors).execute(args),
      subscribe: (args) => (args.rootValue as Executors).subscribe(args),
      onConnect: (ctx) => {
        try {
          ctx.extra.identity = auth.check(authorizationOf(ctx.connectionParams));
          return true;
        } catch (error) {
          if (!isGatewayError(error)) throw error;
          // graphql-ws closes with CloseCode.Forbidden on false; no credentials at all is Unauthorized.
          if (error.kind === 'no-credentials') ctx.extra.socket.close(CloseCode.Unauthorized, error.message);
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          identity: ctx.extra.identity,
          socket: ctx.extra.socket,
          params: payload,
        }) as Enveloped;
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          // A syntax error (or a token limit) answers this operation; thrown, it would close
          // the whole socket with CloseCode.InternalServerError.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Executors,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );
  log.debug({ path: yoga.graphqlEndpoint }, 'graphql-ws listening');

  let closing: Promise<void> | undefined;
  return {
    // Once only: a second dispose() rejects ("The server is not running"), and stop() may be
    // called twice (a test, then its after hook).
    close() {
      // dispose() closes every socket with 1001 "Going away" and resolves once all are closed:
      // those that do not finish the closing handshake are cut after CLOSE_TIMEOUT_MS.
      closing ??= Promise.resolve(disposable.dispose());
      return closing;
    },
  };
}
