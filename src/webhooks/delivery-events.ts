import { EventEmitter } from 'node:events';
import type { AttemptRecord, DeliveryFilter, DeliveryRecord } from '../db/records.ts';
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

/** A subscriber that falls this far behind loses the oldest events, not the process its memory. */
const MAX_BUFFERED = 1000;

export class DeliveryEvents {
  readonly #emitter = new EventEmitter<{ event: [DeliveryEvent] }>().setMaxListeners(0);

  publish(event: DeliveryEvent): void {
    this.#emitter.emit('event', event);
  }

  listen(listener: (event: DeliveryEvent) => void): () => void {
    this.#emitter.on('event', listener);
    return () => this.#emitter.off('event', listener);
  }

  /**
   * An async iterator of the events that match. `return()` unsubscribes at once, even while a
   * `next()` is pending (an async generator could only do that after its next event).
   */
  subscribe(filter: DeliveryEventFilter = {}): AsyncIterableIterator<DeliveryEvent> {
    const matches = matcher(filter);
    const buffered: DeliveryEvent[] = [];
    let waiting: ((result: IteratorResult<DeliveryEvent>) => void) | undefined;
    let done = false;
    const unsubscribe = this.listen((event) => {
      if (!matches(event.delivery)) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        resolve({ value: event, done: false });
        return;
      }
      buffered.push(event);
      if (buffered.length > MAX_BUFFERED) buffered.shift();
    });
    const finish = (): Promise<IteratorResult<DeliveryEvent>> => {
      done = true;
      unsubscribe();
      buffered.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => {
        if (buffered.length > 0) return Promise.resolve({ value: buffered.shift()!, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          waiting = resolve;
        });
      },
      return: finish,
      throw: (error: unknown) => finish().then(() => Promise.reject(error)),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
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
