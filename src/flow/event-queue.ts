import { type TurnScheduler, turns } from './turn-scheduler.ts';

/**
 * A bounded buffer between a synchronous producer (the inbound bus, on the XMPP link's read
 * path) and one asynchronous consumer (a subscription being written to a socket). `push` never
 * waits: when the consumer is too slow and the buffer is full, the queue ends with `overflow()`'s
 * error instead of growing or holding up the producer. The consumer still gets the events
 * buffered before the overflow, then the error, so what it saw is a complete prefix.
 * The consumer takes events in turns of the scheduler (turn-scheduler.ts): with thousands of
 * subscriptions, their work is spread over the event loop instead of holding it.
 */
/** Events a consumer may take in a row while others wait for their turn. */
const STREAK_MAX = 8;

export class EventQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #head = 0;
  #ended: { error?: Error } | undefined;
  #wake: (() => void) | undefined;
  /** A turn is queued for the waiting consumer. */
  #turnQueued = false;
  /** Events taken since the consumer's last turn began. */
  #streak = 0;
  #onEnd: (() => void) | undefined;
  readonly #resume = () => {
    this.#turnQueued = false;
    this.#wake?.();
  };

  constructor(
    private readonly capacity: number,
    private readonly overflow: () => Error,
    onEnd?: () => void,
    private readonly scheduler: TurnScheduler = turns,
  ) {
    this.#onEnd = onEnd;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /** Whether push() would take an event now (not ended, not full). */
  get accepting(): boolean {
    return this.#ended === undefined && this.size < this.capacity;
  }

  /** Adds an event; false when it was not taken (already ended, or it overflowed now). */
  push(item: T): boolean {
    if (this.#ended) return false;
    if (this.size >= this.capacity) {
      this.#end({ error: this.overflow() });
      return false;
    }
    this.#items.push(item);
    this.#queueTurn();
    return true;
  }

  /** Ends the stream normally once the buffered events have been read. */
  close(): void {
    this.#end({});
  }

  /** Ends the stream with `error` at once: the buffered events are dropped, never read. */
  fail(error: Error): void {
    if (this.#ended) return;
    this.#items.length = 0;
    this.#head = 0;
    this.#end({ error });
  }

  async next(): Promise<IteratorResult<T>> {
    // Another event right away only within the current slice, and when others wait, only a few
    // in a row (a turn each would cost more than the events); otherwise wait for a turn.
    const goOn = this.scheduler.mayContinue() || (this.#streak < STREAK_MAX && this.scheduler.withinSlice());
    if (this.size > 0 && !goOn) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#queueTurn();
      });
      this.#wake = undefined;
      this.#streak = 0;
    }
    this.#streak += 1;
    for (;;) {
      if (this.size > 0) {
        const item = this.#items[this.#head]!;
        this.#head += 1;
        // Compact now and then rather than shift(): O(1) per event.
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
          this.#items.splice(0, this.#head);
          this.#head = 0;
        }
        return { value: item, done: false };
      }
      if (this.#ended) {
        const { error } = this.#ended;
        this.#ended = {};
        if (error !== undefined) throw error;
        return { value: undefined, done: true };
      }
      // push() queues the turn that wakes this.
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
      this.#streak = 0;
    }
  }

  #queueTurn(): void {
    if (this.#wake === undefined || this.#turnQueued) return;
    this.#turnQueued = true;
    this.scheduler.enqueue(this.#resume);
  }

  /** The consumer went away (client unsubscribed or disconnected): drop everything. */
  return(): Promise<IteratorResult<T>> {
    this.#end({});
    this.#items.length = 0;
    this.#head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #end(state: { error?: Error }): void {
    if (this.#ended) return;
    this.#ended = state;
    const onEnd = this.#onEnd;
    this.#onEnd = undefined;
    onEnd?.();
    this.#wake?.();
  }
}
