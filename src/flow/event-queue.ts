/**
 * A bounded buffer between a synchronous producer (the inbound bus, on the XMPP link's read
 * path) and one asynchronous consumer (a subscription being written to a socket). `push` never
 * waits: when the consumer is too slow and the buffer is full, the queue ends with `overflow()`'s
 * error instead of growing or holding up the producer. The consumer still gets the events
 * buffered before the overflow, then the error, so what it saw is a complete prefix.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #head = 0;
  #ended: { error?: Error } | undefined;
  #wake: (() => void) | undefined;
  #onEnd: (() => void) | undefined;

  constructor(
    private readonly capacity: number,
    private readonly overflow: () => Error,
    onEnd?: () => void,
  ) {
    this.#onEnd = onEnd;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /** Adds an event; false when it was not taken (already ended, or it overflowed now). */
  push(item: T): boolean {
    if (this.#ended) return false;
    if (this.size >= this.capacity) {
      this.#end({ error: this.overflow() });
      return false;
    }
    this.#items.push(item);
    this.#wake?.();
    return true;
  }

  /** Ends the stream normally once the buffered events have been read. */
  close(): void {
    this.#end({});
  }

  async next(): Promise<IteratorResult<T>> {
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
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
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
