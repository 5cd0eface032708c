/**
 * Per-sender ordering: the stanzas of one sender (bare JID) are delivered one after the other,
 * so a later message never overtakes an earlier one that is still being retried (RFC 6120
 * §10.1 asks servers for in-order processing, and a bot expects it). Different senders run
 * concurrently; iqs do not use lanes (each has its own deadline and the sender is waiting).
 */
export class SenderLanes<T> {
  readonly #lanes = new Map<string, T[]>();
  #closed = false;

  constructor(private readonly run: (item: T) => Promise<void>) {}

  /** Items waiting behind the one running in their lane. */
  get queued(): number {
    let count = 0;
    for (const lane of this.#lanes.values()) count += lane.length - 1;
    return count;
  }

  get active(): number {
    return this.#lanes.size;
  }

  push(key: string, item: T): void {
    if (this.#closed) return;
    const lane = this.#lanes.get(key);
    if (lane) {
      lane.push(item);
      return;
    }
    this.#lanes.set(key, [item]);
    void this.#drain(key);
  }

  /** Stops starting items; the ones running finish on their own. */
  close(): void {
    this.#closed = true;
    for (const lane of this.#lanes.values()) lane.splice(1);
  }

  async #drain(key: string): Promise<void> {
    const lane = this.#lanes.get(key)!;
    while (lane.length > 0) {
      // run() handles its own failures; a throw here must still not stall the lane.
      await this.run(lane[0]!).catch(() => {});
      lane.shift();
      if (this.#closed) lane.length = 0;
    }
    this.#lanes.delete(key);
  }
}
