/**
 * Shares the event loop between fan-out to subscribers and everything else (HTTP requests, the
 * XMPP link, iq replies). Handing one inbound stanza to 20,000 subscriptions means 20,000
 * GraphQL executions and socket writes; run as plain promise continuations, all of them ran
 * before the loop could read a socket again, and a burst of 20 stanzas stalled every other
 * caller for seconds.
 *
 * Work that may be large is cut into turns: a turn is a function (a consumer taking its next
 * event, a chunk of fan-out) queued here and run in a slice of at most `sliceMs`, one after the
 * other in arrival order (round robin: a consumer that wants more goes to the back). Between
 * slices the loop goes round once (setImmediate), so I/O waiting meanwhile is served within
 * about one slice. A turn's promise continuations run inside its slice: after each turn the
 * slice yields one microtask hop, so its clock sees the work of the turns already started, and
 * the overrun past `sliceMs` is a handful of turns at most.
 *
 * One scheduler per process (the event loop is one per process): `turns`.
 */
const settled = Promise.resolve();

export class TurnScheduler {
  readonly #queue: ((() => void) | undefined)[] = [];
  #head = 0;
  /** performance.now() at which the current slice ends; turns asked for before it may run at once. */
  #sliceEnd = 0;
  #scheduled = false;

  constructor(private readonly sliceMs: number) {}

  /** Turns waiting. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /**
   * Whether the caller may go on now instead of queueing a turn: within the current slice's
   * time, with nobody waiting before it.
   */
  mayContinue(): boolean {
    return this.waiting === 0 && this.withinSlice();
  }

  /** Whether the current slice has time left (others may be waiting). */
  withinSlice(): boolean {
    return performance.now() < this.#sliceEnd;
  }

  /** Runs `turn` in a slice to come, after the turns already waiting. */
  enqueue(turn: () => void): void {
    this.#queue.push(turn);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => void this.#slice());
  }

  async #slice(): Promise<void> {
    this.#scheduled = false;
    this.#sliceEnd = performance.now() + this.sliceMs;
    while (this.waiting > 0 && performance.now() < this.#sliceEnd) {
      const turn = this.#queue[this.#head]!;
      this.#queue[this.#head] = undefined;
      this.#head += 1;
      turn();
      await settled;
    }
    // Compact rather than shift(): O(1) per turn.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.waiting > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.#slice());
    }
  }
}

/** A few milliseconds per slice: other callers wait at most about that per loop round. */
export const turns = new TurnScheduler(4);
