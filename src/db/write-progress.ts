/**
 * How far the LogWriter's FIFO queue has got: ops ever queued, and ops done with (written,
 * refused or dropped, always oldest first). `reached()` waits until everything queued before the
 * call is done with — what a read needs before it can trust the database to hold those writes.
 */
export class WriteProgress {
  #queued = 0;
  #done = 0;
  #waiters: { target: number; resolve: () => void }[] = [];

  queued(): void {
    this.#queued += 1;
  }

  done(count: number): void {
    this.#done += count;
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((waiter) => waiter.target <= this.#done);
    this.#waiters = this.#waiters.filter((waiter) => waiter.target > this.#done);
    for (const waiter of ready) waiter.resolve();
  }

  /** Nothing more will be written (the writer closed): every waiter stops waiting. */
  end(): void {
    this.done(Number.MAX_SAFE_INTEGER);
  }

  reached(): Promise<void> {
    const target = this.#queued;
    if (this.#done >= target) return Promise.resolve();
    return new Promise<void>((resolve) => this.#waiters.push({ target, resolve }));
  }
}
