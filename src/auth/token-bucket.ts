/**
 * A token bucket (the rate of a scoped token): `burst` sends at once, refilled at `perSecond`.
 * Time is passed in (milliseconds, monotonic) so that tests need no clock.
 */
export interface Rate {
  perSecond: number;
  burst: number;
}

export class TokenBucket {
  #level: number;
  #at: number;

  constructor(
    readonly rate: Rate,
    now: number,
    /** A reload keeps what was used: the level carries over, capped at the new burst. */
    level: number = rate.burst,
  ) {
    this.#level = Math.min(level, rate.burst);
    this.#at = now;
  }

  /** The level now (fractions included). */
  level(now: number): number {
    this.#refill(now);
    return this.#level;
  }

  /** Takes one send: 0 when allowed, else the milliseconds until one would be. */
  take(now: number): number {
    this.#refill(now);
    if (this.#level >= 1) {
      this.#level -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#level) / this.rate.perSecond) * 1000);
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#at);
    this.#at = now;
    this.#level = Math.min(this.rate.burst, this.#level + (elapsed / 1000) * this.rate.perSecond);
  }
}
