import type { GatewayError } from '../errors/gateway-error.ts';
import type { Stanza } from './codec/index.ts';

/** One accepted outbound stanza, from the send until its promise settles. */
export interface Pending {
  xml: string;
  resolve: (bounce: Stanza | undefined) => void;
  reject: (error: GatewayError) => void;
  timer: NodeJS.Timeout | undefined;
  /** queued → in-flight (being written, or written and waiting for its marker) → settled. */
  state: 'queued' | 'in-flight' | 'settled';
  /** Confirmed by a marker; false for an iq request, which its write settles. */
  acknowledged: boolean;
  /** Written at least once: the server may have it, even while it waits to be written again. */
  written: boolean;
  bounceOf: Stanza | undefined;
}

interface Flight {
  items: Pending[];
  /** The marker written after the batch; undefined when nothing in it waits for one. */
  marker: number | undefined;
  writtenAt: number;
  /** Items that wait for the marker (the window counts them until it comes back). */
  counted: number;
}

/**
 * The batches written on the current connection and not yet acknowledged, in write order. A
 * marker acknowledges its own batch and every batch before it (the server works in order).
 */
export class InFlight {
  #flights: Flight[] = [];
  /** Items in the `in-flight` state; the queue keeps it as it settles them. */
  open = 0;
  /** Items waiting for a marker, settled (expired, bounced) or not: what the window holds. */
  counted = 0;

  add(items: Pending[], marker: number | undefined): Flight {
    let counted = 0;
    for (const item of items) if (item.acknowledged) counted += 1;
    const flight = { items, marker, writtenAt: performance.now(), counted };
    this.#flights.push(flight);
    this.counted += counted;
    return flight;
  }

  /** A batch without a marker, once written (its iq requests are settled by then). */
  remove(flight: Flight): void {
    const index = this.#flights.indexOf(flight);
    if (index === -1) return;
    this.#flights.splice(index, 1);
    this.counted -= flight.counted;
  }

  /** Drops the batches up to marker `seq`; returns their items still waiting for it. */
  acknowledge(seq: number): Pending[] {
    const done: Pending[] = [];
    const kept: Flight[] = [];
    for (const flight of this.#flights) {
      // A batch without a marker is only being written; it never blocks the ones after it.
      if (flight.marker === undefined || flight.marker > seq) {
        kept.push(flight);
        continue;
      }
      this.counted -= flight.counted;
      for (const item of flight.items) if (item.acknowledged && item.state === 'in-flight') done.push(item);
    }
    this.#flights = kept;
    return done;
  }

  /** The stanza in flight that `error` answers: same kind and id, addresses swapped. */
  findBounced(error: Stanza): Pending | undefined {
    for (const flight of this.#flights) {
      for (const item of flight.items) {
        const sent = item.bounceOf;
        if (
          sent !== undefined &&
          item.state === 'in-flight' &&
          sent.id === error.id &&
          sent.kind === error.kind &&
          sent.to.equals(error.from) &&
          sent.from.equals(error.to)
        )
          return item;
      }
    }
    return undefined;
  }

  oldestMarkerAt(): number | undefined {
    return this.#flights.find((flight) => flight.marker !== undefined)?.writtenAt;
  }

  /** The connection ended: returns the unsettled items, in write order, back in the queued state. */
  clear(): Pending[] {
    const back: Pending[] = [];
    for (const flight of this.#flights)
      for (const item of flight.items)
        if (item.state === 'in-flight') {
          item.state = 'queued';
          back.push(item);
        }
    this.#flights = [];
    this.counted = 0;
    this.open = 0;
    return back;
  }
}
