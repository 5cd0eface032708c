/**
 * Counts the HTTP requests in progress so that a graceful stop can wait for them (an iq
 * long-poll finishing, a send reaching the socket) up to a deadline, and refuse new ones.
 */
export class RequestTracker {
  #active = 0;
  #draining = false;
  #idle: (() => void) | undefined;

  get active(): number {
    return this.#active;
  }

  get draining(): boolean {
    return this.#draining;
  }

  begin(): void {
    this.#active += 1;
  }

  end(): void {
    this.#active -= 1;
    if (this.#active === 0) this.#idle?.();
  }

  /** Refuses new requests from now on; resolves when none is left or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<{ abandoned: number }> {
    this.#draining = true;
    if (this.#active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return { abandoned: this.#active };
  }
}
