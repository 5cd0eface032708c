import type { Pending } from './in-flight.ts';

/**
 * The stanzas accepted and not yet written, in order. An entry settled while it waits (expired,
 * failed) stays in the array until it is skipped or compacted away.
 */
const MAX_BATCH_ITEMS = 256;
const MAX_BATCH_BYTES = 256 * 1024;

export class WaitingLine {
  #items: Pending[] = [];

  /** Entries in memory, settled ones not yet dropped included. */
  get length(): number {
    return this.#items.length;
  }

  /** `open`: the entries not settled, anywhere; settled ones are dropped before they pile up. */
  push(item: Pending, open: number): void {
    this.#items.push(item);
    if (this.#items.length > 2 * open + 64) this.compact();
  }

  /** Back to the front, in their order (written once, to be written again). */
  putBack(items: Pending[]): void {
    if (items.length > 0) this.#items = items.concat(this.#items);
  }

  /** Empties the line; returns what it held. */
  takeAll(): Pending[] {
    const items = this.#items;
    this.#items = [];
    return items;
  }

  compact(): void {
    this.#items = this.#items.filter((item) => item.state !== 'settled');
  }

  /**
   * The next batch, in order, bounded in items and bytes, with at most `room` stanzas that wait
   * for an acknowledgement (the window's free room; iq requests take none).
   */
  takeBatch(room: number): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    let counted = 0;
    let taken = 0;
    for (; taken < this.#items.length && batch.length < MAX_BATCH_ITEMS; taken += 1) {
      const next = this.#items[taken]!;
      if (next.state !== 'queued') continue;
      if (next.acknowledged && counted >= room) break;
      if (batch.length > 0 && bytes + next.xml.length > MAX_BATCH_BYTES) break;
      bytes += next.xml.length;
      if (next.acknowledged) counted += 1;
      batch.push(next);
    }
    this.#items = taken === this.#items.length ? [] : this.#items.slice(taken);
    return batch;
  }
}
