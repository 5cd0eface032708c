import type { AttemptRecord, DeliveryLog } from '../webhooks/delivery-log.ts';

/**
 * `Delivery.attempts` for every delivery of a response in one database read instead of one per
 * delivery (a page of 100 was 101 queries). One loader per operation, made by the context
 * factory (yoga per HTTP request or SSE stream, graphql-ws per operation).
 *
 * It batches but never caches: a subscription keeps its context for its whole life, and a cache
 * would answer later events with the attempts read for earlier ones.
 */
interface Batch {
  ids: Set<string>;
  attempts: Promise<Map<string, AttemptRecord[]>>;
}

export class AttemptsLoader {
  #batch: Batch | undefined;

  constructor(private readonly log: DeliveryLog | undefined) {}

  /** The attempts of one delivery, oldest first; rejects as DeliveryLog.attemptsFor does. */
  async load(deliveryId: string): Promise<AttemptRecord[]> {
    const batch = this.#batch ?? this.#open();
    batch.ids.add(deliveryId);
    return (await batch.attempts).get(deliveryId.toLowerCase()) ?? [];
  }

  #open(): Batch {
    const ids = new Set<string>();
    const log = this.log;
    const attempts = new Promise<Map<string, AttemptRecord[]>>((resolve, reject) => {
      // graphql-js resolves the fields of sibling objects in one synchronous pass, or in promise
      // jobs when their parent resolved asynchronously; setImmediate runs after all such jobs,
      // so every delivery of the response has asked by then.
      setImmediate(() => {
        this.#batch = undefined;
        if (!log) resolve(new Map());
        else log.attemptsFor([...ids]).then(resolve, reject);
      });
    });
    const batch = { ids, attempts };
    this.#batch = batch;
    return batch;
  }
}
