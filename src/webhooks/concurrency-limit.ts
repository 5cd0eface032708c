/**
 * At most `limit` callback requests at once (WEBHOOK_CONCURRENCY): a burst of inbound stanzas
 * from many senders must not open a connection per stanza to the receiver. Waiters are served
 * in arrival order. A waiter may carry a deadline (an iq: its sender is waiting, and its whole
 * delivery must fit in WEBHOOK_TIMEOUT_MS): past it, it leaves the queue with `expired()`'s value.
 */
export interface SlotExpiry<T> {
  /** Epoch ms. */
  deadline: number;
  expired(): T;
}

interface Waiter {
  grant(): void;
}

export class ConcurrencyLimit {
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(private readonly limit: number) {}

  get running(): number {
    return this.#running;
  }

  async run<T>(task: () => Promise<T>, expiry?: SlotExpiry<T>): Promise<T> {
    if (expiry && Date.now() >= expiry.deadline) return expiry.expired();
    if (this.#running >= this.limit) {
      if (!(await this.#wait(expiry?.deadline))) return expiry!.expired();
    } else {
      this.#running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter; only when nobody waits is it freed.
      if (next) next.grant();
      else this.#running -= 1;
    }
  }

  /** Resolves true once a slot is handed over, false when the deadline comes first. */
  #wait(deadline: number | undefined): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.#waiting.push(waiter);
      if (deadline === undefined) return;
      timer = setTimeout(
        () => {
          // Out of the queue, so that no slot is ever handed to a waiter that left.
          const index = this.#waiting.indexOf(waiter);
          if (index >= 0) this.#waiting.splice(index, 1);
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
    });
  }
}
