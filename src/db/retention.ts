import type { Logger } from '../log.ts';
import type { DeliveryStore } from './delivery-store.ts';

/**
 * Prunes the delivery log in the background: finished deliveries older than
 * DELIVERY_RETENTION_DAYS go, with their attempts (ON DELETE CASCADE). Pending ones stay
 * whatever their age: they are work still to do. 0 days keeps everything.
 */
const FIRST_RUN_MS = 60_000;
const EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

export class RetentionPruner {
  #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: () => DeliveryStore | undefined,
    private readonly days: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.days === 0) return;
    this.#timers = [setTimeout(() => void this.run(), FIRST_RUN_MS), setInterval(() => void this.run(), EVERY_MS)];
    for (const timer of this.#timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
  }

  /** One pruning pass; resolves with the number of deliveries removed (0 when the database is down). */
  async run(now: Date = new Date()): Promise<number> {
    const store = this.store();
    if (!store || this.days === 0) return 0;
    try {
      const removed = await store.prune(new Date(now.getTime() - this.days * DAY_MS));
      if (removed > 0) this.log.info({ removed, retentionDays: this.days }, 'pruned old deliveries from the log');
      return removed;
    } catch (error) {
      this.log.warn({ err: error }, 'could not prune the delivery log; trying again later');
      return 0;
    }
  }
}
