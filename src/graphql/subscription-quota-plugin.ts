import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isGatewayError } from '../errors/gateway-error.ts';
import type { TokenIdentity } from '../auth/bearer-auth.ts';
import { graphqlErrorOf } from '../schema/errors.ts';
import type { SubscriptionQuota } from '../subscribers/subscription-quota.ts';
import type { SubscriptionEvents } from './metrics-plugin.ts';

/**
 * Every subscription operation (graphql-ws or SSE, `stanzas` or `deliveries`) takes a slot of
 * the quota before it starts, and gives it back however it ends: completed, unsubscribed,
 * disconnected, or failed (an overflow ends a stream with an error, which envelop's end hook
 * does not see but its error hook does). Refused, it answers a coded GraphQL error
 * (SUBSCRIPTION_LIMIT, TOKEN_SUBSCRIPTION_LIMIT) and starts nothing. No wrapper of its own
 * around the stream: each layer of iterators costs every open subscription its closures and
 * pending promises.
 */
export interface IdentifiedContext {
  identity?: TokenIdentity;
}

function isAsyncIterator<T>(value: unknown): value is AsyncIterableIterator<T> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * `events`: each subscription's start and end, for the metrics (metrics-plugin.ts). A refused
 * subscription reports nothing: it never reached the operation.
 */
export function useSubscriptionQuota(quota: SubscriptionQuota, events: SubscriptionEvents): Plugin<IdentifiedContext> {
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
      let opened = false;
      // However it ends, once: release() does nothing the second time.
      const end = () => {
        if (opened) events.closed();
        opened = false;
        release();
      };
      // A subscribe that throws yields no result to see below.
      setSubscribeFn(async (args) => {
        try {
          // envelop types the subscribe function as returning any.
          const result: unknown = await subscribeFn(args);
          return result;
        } catch (error) {
          end();
          throw error;
        }
      });
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterator<ExecutionResult>(result)) {
            events.failed();
            end();
            return undefined;
          }
          events.opened();
          opened = true;
          // Completed or unsubscribed: envelop's end hook.
          return { onEnd: end };
        },
        // A stream that fails (an overflow ends it with an error) ends without the end hook:
        // envelop hands the error here.
        onSubscribeError: end,
      };
    },
  };
}
