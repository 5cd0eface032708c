import {
  Agent as HttpAgent,
  type ClientRequest,
  type IncomingMessage,
  request as httpRequest,
  type RequestOptions,
  STATUS_CODES,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * POSTs to the callback, each reduced to what the reply rules and the log need. Never throws:
 * a refused connection, a reset, a timeout (covering the whole exchange, body included) or a
 * shutdown are results too. Redirects are not followed (a webhook that moved is a
 * misconfiguration to see in the log, and following them would let a receiver point the
 * gateway at any address).
 *
 * node:http with a keep-alive agent rather than fetch: profiled under load, fetch (undici's
 * web streams, a transferable ReadableStream per response, AbortSignal.any per request) cost
 * more CPU than everything else a delivery does. One agent per dispatcher, as many sockets as
 * WEBHOOK_CONCURRENCY, reused across deliveries.
 */
export interface CallbackRequest {
  /** POST by default; OPTIONS for the probe at start. */
  method?: 'POST' | 'OPTIONS';
  /** This request's path and query when CALLBACK_URL is a template; else CALLBACK_URL's. */
  path?: string | undefined;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the request (the gateway stopping and its grace period over). */
  signal: AbortSignal;
  /** A body past this is not read further (the reply rules then treat it as invalid). */
  maxBodyBytes: number;
  /** How much of the body the log keeps. */
  excerptBytes: number;
}

export type CallbackExchange =
  | {
      kind: 'response';
      status: number;
      reason: string;
      headers: Record<string, string>;
      /** Undefined when the body was larger than maxBodyBytes. */
      body: Buffer | undefined;
      excerpt: string;
      truncated: boolean;
      durationMs: number;
    }
  | { kind: 'connect' | 'timeout' | 'aborted'; text: string; durationMs: number };

export interface CallbackClient {
  post(request: CallbackRequest): Promise<CallbackExchange>;
  close(): void;
}

function targetOf(parsed: URL): RequestOptions {
  return {
    protocol: parsed.protocol,
    hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port || (parsed.protocol === 'https:' ? 443 : 80),
    path: `${parsed.pathname}${parsed.search}`,
    ...(parsed.username
      ? { auth: `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}` }
      : {}),
  };
}

export function createCallbackClient(url: string, maxSockets: number): CallbackClient {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:';
  // Resolved once: building options from a URL on every request showed in the profile. A
  // templated CALLBACK_URL changes only the path (placeholders never reach scheme or host).
  const target = targetOf(parsed);
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, maxSockets })
    : new HttpAgent({ keepAlive: true, maxSockets });
  const send = secure ? httpsRequest : httpRequest;
  return {
    post: (request) =>
      exchange(send, agent, request.path === undefined ? target : { ...target, path: request.path }, request),
    close: () => agent.destroy(),
  };
}

type Send = typeof httpRequest;

/** An exchange that did not get as far as a response. */
type Failure = Extract<CallbackExchange, { kind: 'connect' | 'timeout' | 'aborted' }>;

function exchange(
  send: Send,
  agent: HttpAgent,
  target: RequestOptions,
  request: CallbackRequest,
): Promise<CallbackExchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const body = Buffer.from(request.body, 'utf8');
  const headers = { ...request.headers, 'Content-Length': String(body.length) };
  return new Promise((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (result: CallbackExchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const fail = (kind: Failure['kind'], text: string) => {
      finish({ kind, text, durationMs: elapsed() });
      req?.destroy();
    };
    const onAbort = () => fail('aborted', 'the gateway stopped during the attempt');
    const timer = setTimeout(() => fail('timeout', `no answer within ${request.timeoutMs} ms`), request.timeoutMs);
    if (request.signal.aborted) return onAbort();
    request.signal.addEventListener('abort', onAbort, { once: true });

    /** One request; `fresh`: on a new connection, not one of the agent's kept-alive sockets. */
    const attempt = (fresh: boolean) => {
      let responded = false;
      try {
        // `agent: false`: a one-off connection, so the second try cannot get another stale socket.
        req = send({ ...target, method: request.method ?? 'POST', agent: fresh ? false : agent, headers });
      } catch (error) {
        // node checks headers synchronously (ERR_INVALID_CHAR, ERR_INVALID_HTTP_TOKEN): nothing
        // was sent. A failed attempt like any other, never a throw out of post().
        return fail('connect', `the request could not be made: ${describe(error)}`);
      }
      const current = req;
      current.on('error', (error: Error & { code?: string }) => {
        // Idle sockets expire before the receiver's keep-alive timeout (node's agent honours a
        // `Keep-Alive: timeout=N` hint), yet a receiver may still close one just as it is
        // reused. Nothing reached the receiver's application then: try once more on a new
        // connection (node's documented pattern) rather than fail an iq that gets no retry.
        const staleSocket =
          current.reusedSocket && !responded && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        if (staleSocket && !fresh && !settled) return attempt(true);
        fail('connect', describe(error));
      });
      current.on('response', (response: IncomingMessage) => {
        responded = true;
        readLimited(response, request, (read) => {
          // Cut mid-body: a transport failure like a reset, retried as one.
          if (!read)
            return finish({
              kind: 'connect',
              text: 'the connection closed before the response body ended',
              durationMs: elapsed(),
            });
          finish({
            kind: 'response',
            status: response.statusCode ?? 0,
            reason: STATUS_CODES[response.statusCode ?? 0] ?? '',
            headers: flatHeaders(response),
            ...read,
            durationMs: elapsed(),
          });
        });
      });
      current.end(body);
    };
    attempt(false);
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}

/** Reads the body up to the larger of the two limits; past it, stops and drops the socket. */
function readLimited(
  response: IncomingMessage,
  request: CallbackRequest,
  done: (read: { body: Buffer | undefined; excerpt: string; truncated: boolean } | undefined) => void,
): void {
  const limit = Math.max(request.maxBodyBytes, request.excerptBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  let reported = false;
  const result = (complete: boolean) => {
    if (reported) return;
    reported = true;
    const all = Buffer.concat(chunks, size);
    done({
      body: complete && all.length <= request.maxBodyBytes ? all : undefined,
      excerpt: all.subarray(0, request.excerptBytes).toString('utf8'),
      truncated: all.length > request.excerptBytes || !complete,
    });
  };
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      result(false);
    }
  });
  response.on('end', () => result(true));
  const cut = () => {
    if (reported) return;
    reported = true;
    done(undefined);
  };
  response.on('error', cut);
  response.on('close', () => {
    if (!response.complete) cut();
  });
}

function flatHeaders(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
