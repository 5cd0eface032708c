import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError, OperationTypeNode } from 'graphql';
import { createGraphQLError, type GraphQLParams, processRegularResult } from 'graphql-yoga';
import { Counter, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../ops/metrics.ts';
import { GRAPHQL_PATH, type GraphqlYoga } from './yoga.ts';

/**
 * The common case of /graphql over HTTP, answered without yoga's fetch machinery: a POST of
 * `application/json` carrying one query or mutation, from a client that sends no Origin (no
 * CORS headers to add). yoga turns every request into a WHATWG Request and Response (with an
 * AbortSignal and a DOMException each), which cost about as much again as the operation; here the
 * parameters go straight to yoga's own `getResultForParams` (its onParams hooks, then parse,
 * validation, context and execution through its envelop: the same caches, armor limits, masked
 * errors and metrics), and yoga's own regular result processor picks the status, headers and
 * body, written with node:http directly.
 *
 * Only yoga's HTTP layer is skipped: its onRequest, onRequestParse, onResultProcess and onResponse
 * hooks. Each of those the gateway's yoga has is accounted for below (CORS: no Origin; CSRF
 * prevention: JSON is preflighted; the method and body-size checks, the JSON parser, batching:
 * the same tests, declined when they would not pass; the result processors: the same Accept
 * walk). A plugin added later with such a hook turns the fast path off (see `KNOWN_HTTP_HOOKS`), so it
 * cannot be skipped unnoticed.
 *
 * Anything else (GET, other content types or Accept headers, batches, subscriptions, a body that
 * is not valid JSON or not a plain operation, a document that does not parse or whose operation
 * cannot be chosen: yoga's parse refuses both) is declined before
 * anything runs, and yoga answers it as before. test/integration/graphql-fast-path.test.ts sends
 * the same requests both ways, compares the answers and checks which ones were taken.
 */
export interface JsonFastPath {
  /** True if the request was taken (it is answered here); false if yoga should answer it. */
  answer(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** yoga's own keys for a GraphQL-over-HTTP body; any other (non-null) key is its 400. */
const PARAM_KEYS = new Set(['query', 'variables', 'operationName']);

/** The JSON content types taken here: others (and their odd spellings) go to yoga. */
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/** yoga's own body limit (its maxRequestBodySize default): past it, yoga answers 413. */
const YOGA_BODY_LIMIT = 25_000_000;

/** yoga's regular result processor's media types, in its order. */
const REGULAR_TYPES = ['application/graphql-response+json', 'application/json'] as const;

/**
 * The media type yoga's result processors choose for a single result, when it is one of the
 * regular (JSON) ones; undefined when yoga would choose another processor or answer 406.
 * The same walk as yoga's accept.js and use-result-processor.js: Accept's entries from last to
 * first, charsets other than utf-8 skipped, the last match winning.
 */
export function regularMediaType(accept: string | undefined): string | undefined {
  const entries = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse();
  let chosen: string | undefined;
  for (const entry of entries) {
    const [mediaType = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [wantedType, wantedSub] = mediaType.split('/');
    for (const type of REGULAR_TYPES) {
      const [pre, suf] = type.split('/');
      if ((wantedType === '*' || wantedType === pre) && (wantedSub === '*' || wantedSub === suf)) chosen = type;
    }
  }
  return chosen;
}

/** A body yoga would take as one operation with no parameter of its own to check. */
function paramsOf(body: Buffer): Params | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const params = parsed as Record<string, unknown>;
  for (const key in params) if (params[key] != null && !PARAM_KEYS.has(key)) return undefined;
  const { query, variables, operationName } = params;
  if (typeof query !== 'string') return undefined;
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  if (operationName != null && typeof operationName !== 'string') return undefined;
  return params as unknown as Params;
}

/**
 * The Request that yoga's plugins may read from the context: usePreventMutationViaGET reads its
 * method (and marks parse errors as 400s, which yoga's parse cache then keeps). The headers are
 * built only if something asks.
 */
class NodeRequestView {
  readonly method = 'POST';
  readonly url: string;
  #headers: Headers | undefined;
  readonly #req: IncomingMessage;

  constructor(req: IncomingMessage) {
    this.#req = req;
    this.url = `http://${req.headers.host ?? 'localhost'}${req.url ?? GRAPHQL_PATH}`;
  }

  get headers(): Headers {
    if (!this.#headers) {
      this.#headers = new Headers();
      for (const [name, value] of Object.entries(this.#req.headers))
        for (const one of Array.isArray(value) ? value : [value ?? '']) this.#headers.append(name, one);
    }
    return this.#headers;
  }
}

/** A Response class for yoga's result processor that only keeps what it was given. */
class CapturedResponse {
  constructor(
    readonly body: string | null,
    readonly init: { status: number; headers: Record<string, string> },
  ) {}
}
const capture = { Response: CapturedResponse } as unknown as Parameters<typeof processRegularResult>[1];

/** yoga's internals read here: typed (they are private in its typings). */
interface YogaInternals {
  maskedErrorsOpts: { maskError: (error: unknown, message: string, isDev?: boolean) => Error; errorMessage: string };
  onRequestParseHooks: unknown[];
  onResultProcessHooks: unknown[];
  plugins: ({ onRequest?: unknown; onResponse?: unknown } | undefined)[];
}

/**
 * The HTTP-layer hooks of the gateway's yoga (yoga.ts) that the fast path stands in for, counted:
 * onRequest — yoga's health check and unhandled route, CORS; onRequestParse — the GET, JSON,
 * multipart, GraphQL-string and form parsers, the body-size limit, batching limit, method check,
 * CSRF prevention; onResultProcess — the result processors; onResponse — CORS. CORS is there only
 * with CORS_ORIGINS set. Another count means a plugin (or a yoga) the fast path has not been
 * checked against: it stays off.
 */
const KNOWN_HTTP_HOOKS = [
  { onRequest: 3, onRequestParse: 9, onResultProcess: 1, onResponse: 1 },
  { onRequest: 2, onRequestParse: 9, onResultProcess: 1, onResponse: 0 },
].map((hooks) => JSON.stringify(hooks));

function httpHooksOf(yoga: YogaInternals): Record<string, number> {
  const count = (hook: 'onRequest' | 'onResponse') => yoga.plugins.filter((plugin) => plugin?.[hook]).length;
  return {
    onRequest: count('onRequest'),
    onRequestParse: yoga.onRequestParseHooks.length,
    onResultProcess: yoga.onResultProcessHooks.length,
    onResponse: count('onResponse'),
  };
}

/**
 * yoga's answer to an operation whose handling threw instead of returning errors: its
 * handleError, with masking on (yoga.ts sets it; its maskError logs what it masks).
 */
function thrownResult(yoga: YogaInternals, error: unknown): ExecutionResult {
  const masking = yoga.maskedErrorsOpts;
  const handle = (one: unknown): GraphQLError[] => {
    // yoga's isAggregateError: anything with `errors`.
    if (typeof one === 'object' && one !== null && 'errors' in one && Array.isArray(one.errors))
      return (one.errors as unknown[]).flatMap(handle);
    const masked = masking.maskError(one, masking.errorMessage, false);
    return [masked instanceof GraphQLError ? masked : createGraphQLError(masked.message, { originalError: masked })];
  };
  return { errors: handle(error) };
}

/**
 * The fast path for this yoga, or undefined when its plugins have HTTP-layer hooks the fast path
 * does not know (then yoga answers everything, as with GRAPHQL_HTTP_FAST_PATH=off).
 */
export function createJsonFastPath(yoga: GraphqlYoga, registry: Registry): JsonFastPath | undefined {
  const internals = yoga as unknown as YogaInternals;
  const hooks = httpHooksOf(internals);
  if (!KNOWN_HTTP_HOOKS.includes(JSON.stringify(hooks))) return undefined;
  const taken = new Counter({
    name: `${METRIC_PREFIX}graphql_http_fast_path_total`,
    help: 'HTTP requests to /graphql answered by the JSON fast path (GRAPHQL_HTTP_FAST_PATH); yoga answers the rest.',
    registers: [registry],
  });

  const send = (res: ServerResponse, result: ExecutionResult, mediaType: string) => {
    const response = processRegularResult(result, capture, mediaType) as unknown as CapturedResponse;
    if (res.destroyed) return;
    // A length, as yoga's adapter sends it (not chunked).
    const body = response.body ?? '';
    res
      .writeHead(response.init.status, { ...response.init.headers, 'Content-Length': Buffer.byteLength(body) })
      .end(body);
  };

  return {
    answer(req, res, body) {
      if (req.method !== 'POST' || req.url !== GRAPHQL_PATH || req.headers.origin !== undefined) return false;
      if (!JSON_TYPES.has(req.headers['content-type'] ?? '')) return false;
      const mediaType = regularMediaType(req.headers.accept);
      if (!mediaType) return false;
      if (body.length > YOGA_BODY_LIMIT) return false;
      const params = paramsOf(body);
      if (!params) return false;

      // What yoga's handle passes on: the server context, with the request and its parameters.
      const request = new NodeRequestView(req);
      const context = { req, res, request, params };
      // Subscriptions stream (SSE): yoga's. The parse is yoga's own, cached: execution reuses it.
      let document: DocumentNode;
      try {
        document = (yoga.getEnveloped(context) as { parse: (source: string) => DocumentNode }).parse(params.query);
      } catch {
        return false;
      }
      if (getOperationAST(document, params.operationName)?.operation === OperationTypeNode.SUBSCRIPTION) return false;

      taken.inc();
      void (async () => {
        let result: ExecutionResult;
        try {
          result = (await yoga.getResultForParams(
            // As yoga's JSON parser hands them on: null where the body has null.
            { params: params as GraphQLParams, request: request as unknown as Request },
            context,
          )) as ExecutionResult;
        } catch (error) {
          result = thrownResult(internals, error);
        }
        try {
          send(res, result, mediaType);
        } catch (error) {
          // yoga answers a result it cannot serialise with its handleError's, as here.
          send(res, thrownResult(internals, error), mediaType);
        }
      })().catch((error: unknown) => {
        // Not even the error could be written: nothing sensible is left to send.
        res.destroy(error instanceof Error ? error : undefined);
      });
      return true;
    },
  };
}
