import type { DeliveryStore } from '../db/delivery-store.ts';
import type { InsertAck, LogWriter } from '../db/log-writer.ts';
import type { DeliveryRecord } from '../db/records.ts';
import type { Logger } from '../log.ts';
import { backoffDelay } from '../flow/backoff.ts';

/**
 * Deliveries kept only as pending rows in the log, not in memory: what an earlier run left,
 * and what arrives while WEBHOOK_QUEUE_MAX deliveries are already in memory. They are read
 * back oldest first, a page at a time, as room frees up. While any are waiting in the
 * database, every new message or presence joins them there (behind them, never past them),
 * so a sender's order holds across the bound.
 *
 * A read must not take up a delivery this run holds or has just finished (its final update may
 * not be written yet): it runs after every write queued before it (LogWriter.written()), skips
 * ids in memory and ids finished while it ran. A read that fails is tried again with backoff
 * (the database may be back, or never have been down: a single query can fail too).
 */
export type BacklogStore = Pick<DeliveryStore, 'pendingAfter'>;
export type BacklogWriter = Pick<LogWriter, 'insertOnly' | 'written'>;

export interface BacklogDeps {
  store: BacklogStore;
  writer: BacklogWriter;
  /** How many more deliveries memory may take now. */
  room(): number;
  isActive(id: string): boolean;
  /** Takes up a row read back (oldest first). */
  take(row: DeliveryRecord): void;
  log: Logger;
}

const PAGE_MAX = 500;
/** Between failed reads; the writer's `up` event (fill()) may come sooner. */
const READ_RETRY = { minMs: 250, maxMs: 10_000 };

type ReadPosition = { createdAt: Date; id: string; inclusive: boolean };

export class Backlog {
  /** Rows waiting in the database that memory has not taken up yet (or not known to be none). */
  #waiting = false;
  #reading = false;
  #stopped = false;
  #position: ReadPosition | undefined;
  #spills = 0;
  #finishedDuringRead: Set<string> | undefined;
  /** Rows this run kept only in the database and has not read back yet (a gauge). */
  #spilledWaiting = 0;
  readonly #startedAt = Date.now();
  #failedReads = 0;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: BacklogDeps) {}

  /** True while new messages and presences must queue in the database, behind older rows. */
  get waiting(): boolean {
    return this.#waiting;
  }

  get spilled(): number {
    return this.#spilledWaiting;
  }

  /** Takes up what earlier runs left pending (from the oldest row), as room allows. */
  resume(): void {
    this.#waiting = true;
    this.#position = undefined;
    this.fill();
  }

  /** Keeps a delivery as a row only; resolves `stored`, or `dropped` if the log's buffer lost it. */
  spill(row: DeliveryRecord): Promise<InsertAck> {
    // The first row past the bound: reading starts there, not at the rows held in memory since
    // the last read (thousands of them may be pending and would only be skipped).
    if (!this.#waiting) this.#position = { createdAt: row.createdAt, id: row.id, inclusive: true };
    this.#waiting = true;
    this.#spills += 1;
    this.#spilledWaiting += 1;
    return this.deps.writer.insertOnly(row);
  }

  /** A delivery in memory ended: room for more, and a read in progress must not take it up. */
  finished(id: string): void {
    this.#finishedDuringRead?.add(id);
    this.fill();
  }

  /** No more reads (the gateway is stopping). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
  }

  fill(): void {
    if (!this.#waiting || this.#reading || this.#stopped) return;
    const room = Math.min(this.deps.room(), PAGE_MAX);
    if (room <= 0) return;
    this.#reading = true;
    void this.#read(room).then((next) => {
      this.#reading = false;
      this.#finishedDuringRead = undefined;
      if (next === 'more') this.fill();
      if (next === 'failed') this.#retryLater();
    });
  }

  #retryLater(): void {
    if (this.#stopped) return;
    this.#failedReads += 1;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.fill(), backoffDelay(this.#failedReads, READ_RETRY));
    // A pending retry must not keep the process alive.
    this.#retryTimer.unref();
  }

  /** One page: `more` when there may be more to read now, `failed` when the read failed. */
  async #read(limit: number): Promise<'more' | 'done' | 'failed'> {
    const spillsBefore = this.#spills;
    this.#finishedDuringRead = new Set();
    let rows: DeliveryRecord[];
    try {
      await this.deps.writer.written();
      if (this.#stopped) return 'done';
      rows = await this.deps.store.pendingAfter(this.#position, limit);
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not read pending deliveries; trying again');
      return 'failed';
    }
    this.#failedReads = 0;
    for (const row of rows) {
      this.#position = { createdAt: row.createdAt, id: row.id, inclusive: false };
      if (this.deps.isActive(row.id) || this.#finishedDuringRead.has(row.id)) continue;
      if (row.createdAt.getTime() >= this.#startedAt) this.#spilledWaiting = Math.max(0, this.#spilledWaiting - 1);
      this.deps.take(row);
    }
    // A short page read after every earlier spill was written: nothing is left behind.
    if (rows.length < limit && this.#spills === spillsBefore) {
      this.#waiting = false;
      this.#spilledWaiting = 0;
      return 'done';
    }
    return 'more';
  }
}
