import type { Options } from 'dataloader';
import type { AttemptRecord } from '../webhooks/delivery-log.ts';
import type { GraphqlContext } from './builder.ts';
import type { DeliveryView } from './delivery.ts';
import { coded } from './errors.ts';

/**
 * The batch function of `Delivery.attempts` (a `t.loadableList` of Pothos' Dataloader plugin):
 * the attempts of every delivery of a response in one database read instead of one per delivery
 * (a page of 100 was 101 queries). The plugin keeps one loader per context, and the context
 * factory makes one context per operation (yoga per HTTP request or SSE stream, graphql-ws per
 * operation).
 *
 * Keyed by the delivery itself, so that one which already carries its attempts (`delivery(id)`
 * reads them with the row) costs no second read. A database outage is DATABASE_UNAVAILABLE on
 * each field, not a masked unexpected error.
 */
export async function loadAttempts(deliveries: DeliveryView[], ctx: GraphqlContext): Promise<AttemptRecord[][]> {
  const log = ctx.deliveryLog;
  const ids = [...new Set(deliveries.filter((delivery) => !delivery.attempts).map((delivery) => delivery.id))];
  const read = log && ids.length > 0 ? await coded(() => log.attemptsFor(ids)) : new Map<string, AttemptRecord[]>();
  return deliveries.map((delivery) => delivery.attempts ?? read.get(delivery.id.toLowerCase()) ?? []);
}

/**
 * It batches but never caches: a subscription keeps its context for its whole life, and a cache
 * would answer later events with the attempts read for earlier ones (and, keyed by object, it
 * would never hit anyway).
 */
export const ATTEMPTS_LOADER_OPTIONS: Options<DeliveryView, AttemptRecord[]> = { cache: false };
