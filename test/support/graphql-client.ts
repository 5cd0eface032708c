import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestGateway } from './gateway.ts';

/**
 * The three GraphQL transports as real clients use them: HTTP POST (fetch), graphql-ws over a
 * real WebSocket, and SSE (a fetch of `text/event-stream`). Operations are the typed documents
 * generated from test/**\/*.graphql, so a test only compiles against the committed schema.
 */
export interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: ExecutionResult<T>;
}

export interface CallOptions {
  /** Bearer token; null sends no Authorization header. Default: the gateway's token. */
  token?: string | null;
  headers?: Record<string, string>;
}

function authHeaders(gateway: TestGateway, options: CallOptions): Record<string, string> {
  const token = options.token === undefined ? gateway.token : options.token;
  return { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...options.headers };
}

export async function graphqlHttp<T, V>(
  gateway: TestGateway,
  document: TypedDocumentNode<T, V>,
  variables: V,
  options: CallOptions = {},
): Promise<HttpResult<T>> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json',
      ...authHeaders(gateway, options),
    },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as ExecutionResult<T> };
}

/** The data of a successful operation; throws with the errors otherwise. */
export async function graphqlData<T, V>(
  gateway: TestGateway,
  document: TypedDocumentNode<T, V>,
  variables: V,
): Promise<T> {
  const { status, body } = await graphqlHttp(gateway, document, variables);
  if (status !== 200 || body.errors || !body.data)
    throw new Error(`GraphQL failed (${status}): ${JSON.stringify(body)}`);
  return body.data;
}

/** Collects the events of one subscription, whatever the transport. */
export interface EventStream<T> {
  events: ExecutionResult<T>[];
  /** Resolves with the first event (received or arriving) that matches. */
  waitFor(match: (event: ExecutionResult<T>) => boolean, timeoutMs?: number): Promise<ExecutionResult<T>>;
  /** Resolves when the stream has ended (error or complete), with the error if any. */
  ended: Promise<unknown>;
  close(): void;
}

function eventStream<T>(
  close: () => void,
): EventStream<T> & { push(event: ExecutionResult<T>): void; end(error?: unknown): void } {
  const events: ExecutionResult<T>[] = [];
  const waiters = new Set<{
    match: (event: ExecutionResult<T>) => boolean;
    resolve: (event: ExecutionResult<T>) => void;
  }>();
  let end!: (error?: unknown) => void;
  const ended = new Promise<unknown>((resolve) => {
    end = resolve;
  });
  return {
    events,
    ended,
    close,
    end: (error) => end(error),
    push(event) {
      events.push(event);
      for (const waiter of waiters) {
        if (waiter.match(event)) {
          waiters.delete(waiter);
          waiter.resolve(event);
        }
      }
    },
    waitFor(match, timeoutMs = 5000) {
      const already = events.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (event: ExecutionResult<T>) => {
            clearTimeout(timer);
            resolve(event);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}

/** A graphql-ws client on a real socket; `connectionParams` default to the gateway's token. */
export function wsClient(
  gateway: TestGateway,
  connectionParams?: Record<string, unknown>,
  socketCreated?: (socket: WebSocket) => void,
): Client {
  return createClient({
    url: `${gateway.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: class extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        socketCreated?.(this);
      }
    },
    connectionParams: connectionParams ?? { authorization: `Bearer ${gateway.token}` },
    retryAttempts: 0,
    lazy: true,
  });
}

export async function subscribeWs<T, V>(
  client: Client,
  document: TypedDocumentNode<T, V>,
  variables: V,
): Promise<EventStream<T>> {
  let dispose = () => {};
  const stream = eventStream<T>(() => dispose());
  dispose = client.subscribe<T>(
    { query: print(document), variables: variables as Record<string, unknown> },
    {
      next: (event) => stream.push(event as ExecutionResult<T>),
      error: (error) => stream.end(error ?? new Error('subscription failed')),
      complete: () => stream.end(),
    },
  );
  return stream;
}

/** A real SSE subscription (yoga's "distinct connections" mode): POST, Accept: text/event-stream. */
export async function subscribeSse<T, V>(
  gateway: TestGateway,
  document: TypedDocumentNode<T, V>,
  variables: V,
  options: CallOptions = {},
): Promise<EventStream<T> & { status: number }> {
  const abort = new AbortController();
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...authHeaders(gateway, options) },
    body: JSON.stringify({ query: print(document), variables }),
    signal: abort.signal,
  });
  const stream = Object.assign(
    eventStream<T>(() => abort.abort()),
    { status: response.status },
  );
  if (!response.ok || !response.body) {
    stream.end(new Error(`SSE refused: ${response.status} ${await response.text()}`));
    return stream;
  }
  void (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (event === 'next' && data) stream.push(JSON.parse(data) as ExecutionResult<T>);
          if (event === 'complete') stream.end();
        }
      }
      stream.end();
    } catch (error) {
      stream.end(abort.signal.aborted ? undefined : error);
    }
  })();
  return stream;
}
