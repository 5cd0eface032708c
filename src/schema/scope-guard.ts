import type { Caller } from '../auth/caller.ts';
import type { Operation } from '../auth/operations.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { SubscriberAccess } from '../subscribers/inbound-subscriptions.ts';
import type { GraphqlContext } from './builder.ts';
import { graphqlErrorOf } from './errors.ts';

/**
 * The token's scope in GraphQL. Sends check it where they reach the core (sendOrBounce,
 * requestIq, the archive, an iq answer) so their refusals are result-union members
 * (`InvalidInput` for a `from`, `Refused` for an operation, `Unavailable` with
 * `retryAfterSeconds` past the rate); fields without such a union call requireOperation,
 * whose refusal is a coded GraphQL error (`OPERATION_NOT_ALLOWED`).
 */
export function callerOf(ctx: Pick<GraphqlContext, 'identity'>): Caller {
  // The mount and the socket authenticate before any operation runs: this is a wiring defect.
  if (!ctx.identity) throw new GatewayError('bad-credentials');
  return ctx.identity;
}

/** Throws a coded GraphQL error unless the caller may use `operation`. */
export function requireOperation(ctx: Pick<GraphqlContext, 'identity'>, operation: Operation): Caller {
  try {
    const caller = callerOf(ctx);
    caller.use(operation);
    return caller;
  } catch (error) {
    if (error instanceof GatewayError) throw graphqlErrorOf(error);
    throw error;
  }
}

/** The `stanzas` subscription's view of the caller: what it may see, and when it loses the right. */
export function subscriberAccess(caller: Caller): SubscriberAccess {
  return {
    name: caller.name,
    maySee: (stanza) => caller.maySee(stanza),
    mayAnswer: () => caller.may('iq'),
    watch: (lost) => caller.watch('subscribe', lost),
  };
}

/**
 * A stream that ends with a coded `SCOPE_REVOKED` error once a reload takes `operation` away
 * from the caller (the delivery log's subscription: its source knows nothing of tokens).
 */
export function endWhenRevoked<T>(
  stream: AsyncIterableIterator<T>,
  caller: Caller,
  operation: Operation,
): AsyncIterableIterator<T> {
  let revoked: Error | undefined;
  let wake: ((error: Error) => void) | undefined;
  const lost = new Promise<never>((_resolve, reject) => {
    wake = reject;
  });
  // Observed even when no next() is waiting.
  lost.catch(() => undefined);
  const unwatch = caller.watch(operation, (error) => {
    revoked = graphqlErrorOf(error);
    wake!(revoked);
    void stream.return?.();
  });
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (revoked) {
        const error = revoked;
        revoked = undefined;
        unwatch();
        throw error;
      }
      try {
        return await Promise.race([stream.next(), lost]);
      } catch (error) {
        unwatch();
        revoked = undefined;
        throw error;
      }
    },
    async return() {
      unwatch();
      return (await stream.return?.()) ?? { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      unwatch();
      await stream.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
