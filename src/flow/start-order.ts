/**
 * One piece of a composition with a life of its own: started once, then stopped once. A part
 * whose start() throws undoes its own half-start: nothing of it is left open.
 */
export interface Part {
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Parts started one after the other in the order given, and stopped in the reverse order, as
 * xmpp.js's component() wires its plugins: while it starts, runs and stops, a part may rely on
 * every part before it. A start that fails stops what already started (last first) before it
 * throws, so that a failed start leaves no pool, file lock or timer behind. stop() stops only
 * what started, and only once.
 */
export class StartOrder {
  readonly #parts: readonly Part[];
  #started: Part[] = [];

  constructor(parts: readonly Part[]) {
    this.#parts = parts;
  }

  async start(): Promise<void> {
    for (const part of this.#parts) {
      try {
        await part.start();
      } catch (error) {
        // The start's own error says what went wrong; one from undoing it would only hide it.
        await this.stop().catch(() => {});
        throw error;
      }
      this.#started.push(part);
    }
  }

  /** Last started, first stopped; every part is stopped even if one before it fails (that error is thrown at the end). */
  async stop(): Promise<void> {
    const failures: unknown[] = [];
    for (const part of this.#started.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}
