import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, Kind, OperationTypeNode, parse } from 'graphql';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import type { BearerAuth, TokenIdentity } from '../auth/bearer-auth.ts';
import type { CorsPolicy } from '../http/cors.ts';
import type { Mount } from '../http/http-server.ts';
import { abandonBody, readBody } from '../http/read-body.ts';
import { graphqlErrorOf } from '../schema/errors.ts';
import { ASSET_PREFIX, serveAsset } from './graphiql-assets.ts';
import type { GraphiqlPage } from './graphiql-page.ts';
import type { JsonFastPath } from './json-fast-path.ts';
import { GRAPHQL_PATH, type GraphqlYoga } from './yoga.ts';

/**
 * /graphql over HTTP, in front of yoga: GraphiQL (page and assets, no token needed), then the
 * bearer token, then the body limit, all before yoga reads anything. An unauthenticated request
 * costs a header check: its body is never read, whatever it declares. Sockets are checked in
 * websocket.ts (graphql-ws skips HTTP).
 */
export interface GraphqlMountOptions {
  yoga: GraphqlYoga;
  auth: BearerAuth;
  cors: CorsPolicy;
  realm: string;
  maxBodyBytes: number;
  graphiql: GraphiqlPage;
  /** Filled here with who sent each authenticated request (read by the operation's context). */
  identities: WeakMap<IncomingMessage, TokenIdentity>;
  /** Answers plain JSON queries and mutations without yoga's fetch layer (GRAPHQL_HTTP_FAST_PATH). */
  fastPath?: JsonFastPath;
}

/** yoga's own test for a GraphiQL request: a GET that accepts HTML. */
function wantsGraphiql(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.headers.accept ?? '').includes('text/html');
}

function refuse(req: IncomingMessage, res: ServerResponse, error: GatewayError, options: GraphqlMountOptions): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
  if (error.http === 401) headers['WWW-Authenticate'] = `Bearer realm="${options.realm}"`;
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  options.cors.apply(req, res);
  abandonBody(req, res);
  res.writeHead(error.http, headers).end(JSON.stringify({ errors: [graphqlErrorOf(error).toJSON()] }));
}

/** The root fields a standby answers: its own `status` (which shows its role), nothing else. */
const STANDBY_FIELDS = new Set(['status', '__typename']);

/**
 * A plain JSON POST (no query string: yoga would not look there, but nothing else is taken)
 * whose every operation is a query of `status` only. Other media types are refused outright:
 * yoga chooses its parser by media type, and a body read one way here could read another way
 * there (a form body that is also JSON, say).
 */
function asksStatusOnly(req: IncomingMessage, body: Buffer): boolean {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json' || (req.url ?? '').includes('?')) return false;
  let document: DocumentNode;
  try {
    const params = JSON.parse(body.toString('utf8')) as { query?: unknown } | null;
    if (typeof params?.query !== 'string') return false;
    document = parse(params.query);
  } catch {
    return false;
  }
  return document.definitions.every(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.operation === OperationTypeNode.QUERY &&
      definition.selectionSet.selections.every(
        (selection) => selection.kind === Kind.FIELD && STANDBY_FIELDS.has(selection.name.value),
      ),
  );
}

export function createGraphqlMount(options: GraphqlMountOptions): Mount {
  const { yoga, auth, identities } = options;
  /** `admit` decides on the body read whether the operation runs here. */
  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    admit?: (req: IncomingMessage, body: Buffer) => boolean,
  ) {
    if (path.startsWith(ASSET_PREFIX)) return serveAsset(req, res, path);
    if (wantsGraphiql(req)) return options.graphiql.serve(req, res);
    // CORS preflights carry no credentials (yoga answers them).
    if (req.method !== 'OPTIONS') {
      try {
        identities.set(req, auth.check(req.headers.authorization));
        if (admit && req.method !== 'POST') throw new GatewayError('standby', { retryAfterSeconds: 1 });
        // Read here, within the limit; yoga takes a body already read from `req.body`.
        if (req.method === 'POST') {
          const body = await readBody(req, res, options.maxBodyBytes);
          if (admit && !admit(req, body)) throw new GatewayError('standby', { retryAfterSeconds: 1 });
          if (!admit && options.fastPath?.answer(req, res, body)) return;
          (req as { body?: Buffer }).body = body;
        }
      } catch (error) {
        // The client went away while sending its body: nobody to answer.
        if (!isGatewayError(error) && (req.errored || res.destroyed)) return;
        if (!isGatewayError(error)) throw error;
        refuse(req, res, error, options);
        return;
      }
    }
    return yoga.requestListener(req, res);
  }
  return {
    matches: (path) => path === GRAPHQL_PATH || path === `${GRAPHQL_PATH}/` || path.startsWith(ASSET_PREFIX),
    handle: (req, res, path) => serve(req, res, path),
    refuseUnavailable(req, res, why, path) {
      if (why === 'standby') return serve(req, res, path, asksStatusOnly);
      refuse(req, res, new GatewayError('shutting-down', { retryAfterSeconds: 5 }), options);
    },
  };
}
