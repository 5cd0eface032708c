import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { type Client, CloseCode, createClient } from 'graphql-ws/client';
import type { TypedDocumentString } from '../../generated/graphql.ts';
import { AuthError, postGraphql, RequestError } from './graphql-http.ts';

/**
 * What the views use of the public GraphQL API, for one signed-in token: queries and mutations
 * over HTTP, subscriptions over one graphql-ws socket (reconnecting by itself; the gateway ends
 * sockets when it stops). A token the gateway refuses signs the tab out.
 */
export interface Api {
  query<T, V>(document: TypedDocumentString<T, V>, variables: V, signal?: AbortSignal): Promise<T>;
  /** Returns the unsubscribe function. `error` ends the subscription (e.g. SUBSCRIBER_OVERFLOW). */
  subscribe<T, V>(
    document: TypedDocumentString<T, V>,
    variables: V,
    sink: { next(data: T): void; error(message: string): void },
  ): () => void;
  /** `listener` hears each change of the live socket: connected or not. */
  onLive(listener: (connected: boolean) => void): () => void;
  close(): void;
}

export type SignedOut = (reason: string) => void;

export function createApi(token: string, signedOut: SignedOut): Api {
  const liveListeners = new Set<(connected: boolean) => void>();
  const tell = (connected: boolean) => liveListeners.forEach((listener) => listener(connected));
  const refused = (code: number) => code === Number(CloseCode.Unauthorized) || code === Number(CloseCode.Forbidden);
  const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const client: Client = createClient({
    url: socketUrl,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: (event) => !(event instanceof CloseEvent && refused(event.code)),
    retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
    on: {
      connected: () => tell(true),
      closed: (event) => {
        tell(false);
        if (event instanceof CloseEvent && refused(event.code))
          signedOut('The gateway no longer accepts this token. Sign in again.');
      },
    },
  });

  return {
    async query(document, variables, signal) {
      try {
        return await postGraphql(token, document, variables, signal);
      } catch (error) {
        if (error instanceof AuthError) signedOut(error.message);
        throw error;
      }
    },
    subscribe(document, variables, sink) {
      // These subscriptions never end by themselves: the server ends them when it stops, and
      // graphql-ws resubscribes only after a dropped socket. So an end is followed by a new
      // subscription (views reload what they show when the socket comes back: onLive).
      let stopped = false;
      let dispose = () => {};
      let timer: ReturnType<typeof setTimeout> | undefined;
      const start = () => {
        dispose = client.subscribe<unknown>(
          { query: document.toString(), variables: variables as Record<string, unknown> },
          {
            next: (result) => {
              const failure = result.errors?.[0];
              if (failure) sink.error(failure.message);
              else if (result.data) sink.next(result.data as Parameters<typeof sink.next>[0]);
            },
            error: (error) => sink.error(messageOf(error)),
            complete: () => {
              if (!stopped) timer = setTimeout(start, 1000);
            },
          },
        );
      };
      start();
      return () => {
        stopped = true;
        clearTimeout(timer);
        dispose();
      };
    },
    onLive(listener) {
      liveListeners.add(listener);
      return () => liveListeners.delete(listener);
    },
    close() {
      liveListeners.clear();
      void client.dispose();
    },
  };
}

function messageOf(error: unknown): string {
  if (Array.isArray(error)) return (error as { message?: string }[]).map((e) => e.message ?? 'error').join('; ');
  if (error instanceof CloseEvent)
    return `The live connection closed (${error.code}${error.reason ? `: ${error.reason}` : ''}).`;
  if (error instanceof Error) return error.message;
  return 'The live connection failed.';
}

export { AuthError, RequestError };

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside a signed-in console');
  return api;
}
