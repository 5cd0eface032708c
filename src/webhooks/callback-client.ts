import { STATUS_CODES } from 'node:http';

/**
 * One POST to the callback, reduced to what the reply rules and the log need. Never throws:
 * a refused connection, a reset, a timeout (covering the whole exchange, body included) or a
 * shutdown are results too. Redirects are not followed (a webhook that moved is a
 * misconfiguration to see in the log, and following them would let a receiver point the
 * gateway at any address).
 */
export interface CallbackRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the request when the gateway stops. */
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

export async function postToCallback(request: CallbackRequest): Promise<CallbackExchange> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      // A Buffer, not a string: measured here, fetch takes half the time per request with it.
      body: Buffer.from(request.body, 'utf8'),
      headers: request.headers,
      redirect: 'manual',
      signal: AbortSignal.any([request.signal, timeout]),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const { body, excerpt, truncated } = await readLimited(response, request.maxBodyBytes, request.excerptBytes);
    return {
      kind: 'response',
      status: response.status,
      reason: STATUS_CODES[response.status] ?? '',
      headers,
      body,
      excerpt,
      truncated,
      durationMs: elapsed(),
    };
  } catch (error) {
    if (request.signal.aborted) return { kind: 'aborted', text: 'the gateway stopped during the attempt', durationMs: elapsed() };
    if (timeout.aborted) return { kind: 'timeout', text: `no answer within ${request.timeoutMs} ms`, durationMs: elapsed() };
    return { kind: 'connect', text: describe(error), durationMs: elapsed() };
  }
}

async function readLimited(
  response: Response,
  maxBytes: number,
  excerptBytes: number,
): Promise<{ body: Buffer | undefined; excerpt: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let complete = true;
  if (response.body) {
    // The DOM lib (referenced by GraphQL Yoga's fetch types) declares ReadableStream without
    // async iteration; Node's has it.
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(Buffer.from(chunk));
      size += chunk.byteLength;
      if (size > Math.max(maxBytes, excerptBytes)) {
        complete = false;
        await response.body.cancel().catch(() => {});
        break;
      }
    }
  }
  const all = Buffer.concat(chunks, size);
  const truncated = all.length > excerptBytes || !complete;
  return {
    body: complete && all.length <= maxBytes ? all : undefined,
    excerpt: all.subarray(0, excerptBytes).toString('utf8'),
    truncated,
  };
}

/** fetch hides the socket error in `cause`: ECONNREFUSED, ECONNRESET, ENOTFOUND… */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
