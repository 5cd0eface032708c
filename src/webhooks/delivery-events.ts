import { EventEmitter } from 'node:events';
import type { SenderMatch } from '../db/delivery-store.ts';
import type { AttemptRecord, DeliveryFilter, DeliveryRecord } from '../db/records.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { EventQueue } from '../flow/event-queue.ts';
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
  /** Open subscriptions, so that close() can end them (an open SSE stream holds up a stop). */
  readonly #queues = new Set<EventQueue<DeliveryEvent>>();
  #closed = false;

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
   * `overflow()`'s error after what was buffered. `return()` unsubscribes at once. Throws
   * GatewayError `shutting-down` after close().
   */
  subscribe(
    filter: DeliveryEventFilter,
    bounds: { capacity: number; overflow: () => Error },
  ): AsyncIterableIterator<DeliveryEvent> {
    if (this.#closed) throw new GatewayError('shutting-down');
    const matches = matcher(filter);
    let unsubscribe = () => {};
    const queue: EventQueue<DeliveryEvent> = new EventQueue<DeliveryEvent>(bounds.capacity, bounds.overflow, () => {
      unsubscribe();
      this.#queues.delete(queue);
    });
    unsubscribe = this.listen((event) => {
      if (matches(event.delivery)) queue.push(event);
    });
    this.#queues.add(queue);
    return queue;
  }

  /**
   * The gateway is stopping: every subscription ends normally (after the events it buffered)
   * and no new one starts. Publishing still works, for listeners other than subscriptions.
   */
  close(): void {
    this.#closed = true;
    for (const queue of [...this.#queues]) queue.close();
  }
}

function matcher(filter: DeliveryEventFilter): (delivery: DeliveryRecord) => boolean {
  const sender = filter.from === undefined ? undefined : senderMatch(filter.from);
  if (sender === null) return () => false;
  return (delivery) =>
    (filter.status === undefined || delivery.status === filter.status) &&
    (filter.kind === undefined || delivery.kind === filter.kind) &&
    (sender === undefined ||
      ('bare' in sender ? delivery.senderBare === sender.bare : delivery.fromJid === sender.full));
}

/** A `from` filter as the log matches it: a bare JID is every resource; null when not a JID. */
export function senderMatch(from: string): SenderMatch | null {
  const jid = parseJid(from);
  if (jid === undefined) return null;
  return jid.isBare() ? { bare: jid.toString() } : { full: jid.toString() };
}
