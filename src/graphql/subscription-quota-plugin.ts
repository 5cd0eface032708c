import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isGatewayError } from '../errors/gateway-error.ts';
import type { TokenIdentity } from '../auth/bearer-auth.ts';
import { graphqlErrorOf } from '../schema/errors.ts';
import type { SubscriptionQuota } from '../subscribers/subscription-quota.ts';

/**
 * Every subscription operation (graphql-ws or SSE, `stanzas` or `deliveries`) takes a slot of
 * the quota before it starts, and gives it back however it ends: completed, unsubscribed,
 * disconnected, or failed (an overflow ends a stream with an error, which envelop's own end
 * hook does not see, hence the wrapper below). Refused, it answers a coded GraphQL error
 * (SUBSCRIPTION_LIMIT, TOKEN_SUBSCRIPTION_LIMIT) and starts nothing.
 */
export interface IdentifiedContext {
  identity?: TokenIdentity;
}

function isAsyncIterator<T>(value: unknown): value is AsyncIterableIterator<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The source, calling `release` once when it ends in any way. */
function releasing<T>(source: AsyncIterableIterator<T>, release: () => void): AsyncIterableIterator<T> {
  const done = { done: true, value: undefined } as IteratorReturnResult<undefined>;
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () =>
      source.next().then(
        (result) => {
          if (result.done) release();
          return result;
        },
        (error: unknown) => {
          release();
          throw error;
        },
      ),
    return: (value?: unknown) => {
      release();
      return source.return?.(value) ?? Promise.resolve(done);
    },
    throw: (error?: unknown) => {
      release();
      return source.throw?.(error) ?? Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
  };
  return iterator;
}

export function useSubscriptionQuota(quota: SubscriptionQuota): Plugin<IdentifiedContext> {
  return {
    onSubscribe({ context, subscribeFn, setSubscribeFn, setResultAndStopExecution }) {
      const identity = context.identity;
      // Every transport authenticates first (http-mount.ts, websocket.ts).
      if (!identity) throw new Error('a subscription without an identity');
      let release: () => void;
      try {
        release = quota.acquire(identity.id);
      } catch (error) {
        if (!isGatewayError(error)) throw error;
        setResultAndStopExecution({ errors: [graphqlErrorOf(error)] } satisfies ExecutionResult);
        return;
      }
      // A subscribe that throws yields no result to see below.
      setSubscribeFn(async (args) => {
        try {
          // envelop types the subscribe function as returning any.
          const result: unknown = await subscribeFn(args);
          return result;
        } catch (error) {
          release();
          throw error;
        }
      });
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterator<ExecutionResult>(result)) setResult(releasing(result, release));
          else release();
        },
        onSubscribeError: () => release(),
      };
    },
  };
}
