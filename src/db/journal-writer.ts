import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../log.ts';
import type { JournalRecord } from './journal-records.ts';
import { type AvailabilityOptions, LogAvailability, type LogState } from './log-availability.ts';

/**
 * The inbound journal's writes, in batches, as the delivery log's (group commit: one INSERT of
 * every row queued meanwhile, the rows as one JSON parameter). Rows wait in memory, oldest
 * first, until their batch is committed: `pending()` is what a replay reads besides the table,
 * so a stanza is never missing from a replay because its write is behind. While the database
 * is unreachable rows are held (at most `bufferMax`; past it the oldest are dropped and counted
 * in `lostRows`) and written when it is back (the availability's retries, as for the log).
 */
export interface JournalWriterStatus {
  state: LogState;
  lastError: string | undefined;
  buffered: number;
  lostRows: number;
}

const BATCH_MAX = 1000;
/** How long rows may wait to share a batch. */
const LINGER_MS = 10;

const INSERT = `
  INSERT INTO "InboundStanza" ("domain", "seq", "receivedAt", "kind", "stanzaType", "fromJid", "senderBare", "toJid", "xml")
  SELECT $1, v.* FROM jsonb_to_recordset($2::jsonb) AS v("seq" bigint, "receivedAt" timestamptz, "kind" "StanzaKind",
    "stanzaType" text, "fromJid" text, "senderBare" text, "toJid" text, "xml" text)
  -- Written again after a failure whose commit went through: the row is there already.
  ON CONFLICT DO NOTHING`;

export class JournalWriter {
  /** Not committed yet, oldest first; the first #inFlight are the batch being written. */
  #rows: JournalRecord[] = [];
  #inFlight = 0;
  #lostRows = 0;
  #pushed = 0;
  #settled = 0;
  #waiters: { target: number; resolve: () => void }[] = [];
  #pumping = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #database: LogAvailability;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly domain: string,
    private readonly options: AvailabilityOptions & { bufferMax: number },
    private readonly log: Logger,
  ) {
    this.#database = new LogAvailability(prisma, { ...options, name: 'inbound journal' }, log);
    this.#database.on('up', () => void this.#run());
  }

  get up(): boolean {
    return this.#database.up;
  }

  status(): JournalWriterStatus {
    const { state, lastError } = this.#database;
    return { state, lastError, buffered: this.#rows.length, lostRows: this.#lostRows };
  }

  /** First connection (and migrations): a MigrationError throws; an outage leaves it down, retrying. */
  start(): Promise<void> {
    return this.#database.start();
  }

  push(row: JournalRecord): void {
    this.#pushed += 1;
    if (this.#closed) return this.#lose(1);
    if (this.#rows.length - this.#inFlight >= this.options.bufferMax) {
      this.#rows.splice(this.#inFlight, 1);
      if (this.#lostRows === 0)
        this.log.error({ bufferMax: this.options.bufferMax }, 'inbound journal buffer full: dropping the oldest rows');
      this.#lose(1);
    }
    this.#rows.push(row);
    if (this.#rows.length - this.#inFlight >= BATCH_MAX) void this.#run();
    else
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        void this.#run();
      }, LINGER_MS).unref();
  }

  /** The rows not committed yet, oldest first (a copy). */
  pending(): JournalRecord[] {
    return this.#rows.slice();
  }

  /** Resolves when every row pushed before the call is committed or lost (waits through outages). */
  written(): Promise<void> {
    const target = this.#pushed;
    if (this.#settled >= target) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target, resolve }));
  }

  /** Writes what it can within `timeoutMs`; what is left is counted lost. */
  async close(timeoutMs: number): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#run();
    await Promise.race([this.written(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    this.#closed = true;
    this.#database.close();
    const left = this.#rows.length - this.#inFlight;
    if (left > 0) {
      this.#rows.splice(this.#inFlight);
      this.log.error({ lostRows: left }, 'inbound journal rows lost at shutdown: the database was unreachable');
      this.#lose(left);
    }
    // Whoever waits for a read-after-write gives up now.
    this.#settle(Number.MAX_SAFE_INTEGER);
  }

  async #run(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#database.up && this.#rows.length > 0) {
        const batch = this.#rows.slice(0, BATCH_MAX);
        this.#inFlight = batch.length;
        try {
          await this.#write(batch);
          this.#done(batch.length);
        } catch (error) {
          if (this.#database.state === 'closed') {
            this.log.error({ lostRows: batch.length }, 'inbound journal rows lost at shutdown: a batch failed');
            this.#done(batch.length, true);
          } else if (await this.#database.reachable()) {
            await this.#oneByOne(batch);
          } else {
            this.#inFlight = 0;
            this.#database.down(error, this.#rows.length);
          }
        }
      }
    } finally {
      this.#inFlight = 0;
      this.#pumping = false;
    }
  }

  /** The database answers but refused the batch: only the rows it refuses are dropped. */
  async #oneByOne(batch: JournalRecord[]): Promise<void> {
    for (const row of batch) {
      try {
        await this.#write([row]);
        this.#done(1);
      } catch (error) {
        this.log.error({ err: error, seq: row.seq }, 'the database refused an inbound journal row; it is dropped');
        this.#done(1, true);
      }
    }
  }

  #write(rows: JournalRecord[]): Promise<number> {
    return this.prisma.$executeRawUnsafe(INSERT, this.domain, JSON.stringify(rows));
  }

  /** The oldest `count` rows are committed (or lost): they leave the buffer. */
  #done(count: number, lost = false): void {
    this.#rows.splice(0, count);
    this.#inFlight = Math.max(0, this.#inFlight - count);
    if (lost) this.#lose(count);
    else this.#settle(count);
  }

  #lose(count: number): void {
    this.#lostRows += count;
    this.#settle(count);
  }

  #settle(count: number): void {
    this.#settled += count;
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((waiter) => waiter.target <= this.#settled);
    this.#waiters = this.#waiters.filter((waiter) => waiter.target > this.#settled);
    for (const waiter of ready) waiter.resolve();
  }
}
