import { EventEmitter } from 'node:events';
import type { AttemptRecord, DeliveryFilter, DeliveryRecord } from '../db/records.ts';
import { EventQueue } from '../subscribers/event-queue.ts';
import { parseJid } from '../xmpp/jid.ts';

/**
 * Live delivery outcomes: one event per attempt and one when a delivery ends, for the
 * `deliveries` subscription. Published from memory, so they flow even while the log's
 * database is down.
 */
export interface DeliveryEvent {
  /** The delivery as it is after this event. */
  delivery: DeliveryRecord;
  /** The attempt that caused it; absent when a delivery is accepted or ends without one. */
  attempt?: AttemptRecord;
}

export type DeliveryEventFilter = Pick<DeliveryFilter, 'status' | 'kind' | 'from'>;

export class DeliveryEvents {
  readonly #emitter = new EventEmitter<{ event: [DeliveryEvent] }>().setMaxListeners(0);

  /** Whether anybody listens: publishers skip building events otherwise. */
  get listening(): boolean {
    return this.#emitter.listenerCount('event') > 0;
  }

  publish(event: DeliveryEvent): void {
    this.#emitter.emit('event', event);
  }

  listen(listener: (event: DeliveryEvent) => void): () => void {
    this.#emitter.on('event', listener);
    return () => this.#emitter.off('event', listener);
  }

  /**
   * An async iterator of the events that match, with the same slow-subscriber policy as the
   * `stanzas` subscription: at most `capacity` events wait; past that the stream ends with
   * `overflow()`'s error after what was buffered. `return()` unsubscribes at once.
   */
  subscribe(filter: DeliveryEventFilter, bounds: { capacity: number; overflow: () => unknown }): AsyncIterableIterator<DeliveryEvent> {
    const matches = matcher(filter);
    let unsubscribe = () => {};
    const queue = new EventQueue<DeliveryEvent>(bounds.capacity, bounds.overflow, () => unsubscribe());
    unsubscribe = this.listen((event) => {
      if (matches(event.delivery)) queue.push(event);
    });
    return queue;
  }
}

function matcher(filter: DeliveryEventFilter): (delivery: DeliveryRecord) => boolean {
  const from = filter.from === undefined ? undefined : parseJid(filter.from);
  if (filter.from !== undefined && from === undefined) return () => false;
  return (delivery) =>
    (filter.status === undefined || delivery.status === filter.status) &&
    (filter.kind === undefined || delivery.kind === filter.kind) &&
    (from === undefined || (from.isBare() ? delivery.senderBare : delivery.fromJid) === from.toString());
}
