import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { type AvailabilityOptions, LogAvailability, type LogState } from './log-availability.ts';
import { type InsertAck, insertAck, type LogOp, toBatch, writeBatch } from './log-batch.ts';
import type { AttemptRecord, DeliveryPatch, DeliveryRecord } from './records.ts';
import { WriteProgress } from './write-progress.ts';

export type { InsertAck } from './log-batch.ts';
export type { LogState } from './log-availability.ts';

/**
 * Every write to the delivery log, in order, in batches (group commit: one statement for
 * everything queued meanwhile, src/db/log-batch.ts). Deliveries never wait on the
 * database for long: while it is unreachable, writes are held in memory (bounded by
 * DELIVERY_LOG_BUFFER_MAX) and applied when it is back; past the bound the oldest are dropped
 * and counted (`lostRows`, in status).
 */

export interface LogWriterStatus {
  state: LogState;
  since: Date;
  lastError: string | undefined;
  buffered: number;
  lostRows: number;
}

export interface LogWriterOptions extends AvailabilityOptions {
  bufferMax: number;
}

const BATCH_MAX = 500;
/** How long attempts and updates may wait to share a batch (they are write-behind). */
const LINGER_MS = 10;
/** A delivery waits this long at most for its row before its first attempt (a slow database). */
const INSERT_ACK_WAIT_MS = 2_000;

export class LogWriter extends EventEmitter<{ up: []; drained: [] }> {
  #ops: LogOp[] = [];
  #pumping = false;
  /** Ops taken out of the queue by the batch being written. */
  #inFlight = 0;
  readonly #progress = new WriteProgress();
  /** An insert is queued: the next batch goes now, without lingering. */
  #insertWaiting = false;
  #lingerTimer: NodeJS.Timeout | undefined;
  #lostRows = 0;
  readonly #database: LogAvailability;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: LogWriterOptions,
    private readonly log: Logger,
  ) {
    super();
    this.#database = new LogAvailability(prisma, options, log);
    this.#database.on('up', () => {
      this.emit('up');
      void this.#pump();
    });
    // Deliveries waiting for their rows go on without them.
    this.#database.on('down', () => {
      for (const op of this.#ops) if (op.kind === 'insert') op.ack('deferred');
    });
  }

  status(): LogWriterStatus {
    const { state, since, lastError } = this.#database;
    return { state, since, lastError, buffered: this.#ops.length + this.#inFlight, lostRows: this.#lostRows };
  }

  get up(): boolean {
    return this.#database.up;
  }

  /**
   * First connection; when the database is unreachable the writer starts down and keeps trying
   * in the background. Throws a MigrationError (the database answered but refused the schema).
   */
  async start(): Promise<void> {
    await this.#database.start();
  }

  /**
   * Resolves `stored` once the row is committed, `deferred` when the database cannot take it now
   * (the row stays queued), `dropped` when the buffer bound pushed it out before it was written.
   */
  insert(row: DeliveryRecord): Promise<InsertAck> {
    return this.#queueInsert(row).first;
  }

  /**
   * For a delivery kept only as a row (past WEBHOOK_QUEUE_MAX): resolves when the row is
   * committed (`stored`) or lost (`dropped`), however long an outage lasts.
   */
  insertOnly(row: DeliveryRecord): Promise<InsertAck> {
    return this.#queueInsert(row).final;
  }

  #queueInsert(row: DeliveryRecord): { first: Promise<InsertAck>; final: Promise<InsertAck> } {
    const answers = insertAck(INSERT_ACK_WAIT_MS);
    this.#push({ kind: 'insert', row, ack: answers.ack });
    if (!this.up) answers.ack('deferred');
    return answers;
  }

  attempt(row: AttemptRecord): void {
    this.#push({ kind: 'attempt', row });
  }

  update(id: string, patch: DeliveryPatch): void {
    this.#push({ kind: 'update', id, patch });
  }

  /**
   * Resolves when every write queued before this call is done with (written, or dropped by
   * the buffer bound), waiting through outages: a read that follows sees all of them.
   */
  written(): Promise<void> {
    return this.#progress.reached();
  }

  /** One round trip to the database now (readiness); an outage found here is handled as any other. */
  async probe(): Promise<void> {
    if (!this.up) return;
    if (!(await this.#database.reachable()) && this.up)
      this.#database.down(new Error('the database does not answer'), this.#ops.length);
  }

  /** Resolves when everything queued so far is written, or the database is down. */
  async flushed(): Promise<void> {
    while (this.up && (this.#ops.length > 0 || this.#pumping))
      await new Promise<void>((resolve) => this.once('drained', () => resolve()));
  }

  /** Writes what it can within `timeoutMs`; what is left is counted lost. */
  async close(timeoutMs: number): Promise<void> {
    void this.#pump(true);
    await Promise.race([this.flushed(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    this.#lost(this.#ops.splice(0), 'delivery log writes lost at shutdown: the database was unreachable');
    // Nothing more will be written: whoever waits for a read-after-write gives up now.
    this.#progress.end();
    this.#database.close();
  }

  #push(op: LogOp): void {
    if (this.#database.state === 'closed') {
      this.#lostRows += 1;
      if (op.kind === 'insert') op.ack('dropped');
      return;
    }
    this.#progress.queued();
    if (this.#ops.length >= this.options.bufferMax) {
      const dropped = this.#ops.shift()!;
      if (dropped.kind === 'insert') dropped.ack('dropped');
      if (this.#lostRows === 0)
        this.log.error({ bufferMax: this.options.bufferMax }, 'delivery log buffer full: dropping the oldest writes');
      this.#lostRows += 1;
      this.#progress.done(1);
    }
    this.#ops.push(op);
    if (op.kind === 'insert') this.#insertWaiting = true;
    void this.#pump();
  }

  /**
   * Writes batches while there is something urgent: a new delivery waits for its row before its
   * first attempt, so inserts go at once. Attempts and updates linger up to LINGER_MS to join
   * one batch: written one or two at a time as they came, they kept the embedded database (which
   * runs on this thread) busy enough to slow the deliveries themselves to ~200/s.
   */
  async #pump(lingered = false): Promise<void> {
    if (this.#pumping || !this.up) return;
    this.#pumping = true;
    try {
      while (this.#ops.length > 0 && this.up) {
        if (!lingered && !this.#insertWaiting && this.#ops.length < BATCH_MAX) {
          this.#pumpLater();
          break;
        }
        lingered = false;
        this.#insertWaiting = false;
        const batch = this.#ops.splice(0, BATCH_MAX);
        this.#inFlight = batch.length;
        try {
          await this.#apply(batch);
          this.#applied(batch);
        } catch (error) {
          const closed = () => this.#database.state === 'closed';
          const reachable = !closed() && (await this.#database.reachable());
          if (closed()) {
            // close() stopped waiting for this batch: nothing will write it now, nor reopen the log.
            this.#lost(batch, 'delivery log writes lost at shutdown: a batch failed after the log closed');
          } else if (reachable) {
            // The database is fine: some write in the batch is refused. Isolate it.
            await this.#applyOneByOne(batch);
          } else {
            this.#ops.unshift(...batch);
            this.#insertWaiting ||= batch.some((op) => op.kind === 'insert');
            this.#database.down(error, this.#ops.length);
          }
        } finally {
          this.#inFlight = 0;
        }
      }
    } finally {
      this.#pumping = false;
      this.emit('drained');
    }
  }

  #pumpLater(): void {
    if (this.#lingerTimer) return;
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = undefined;
      void this.#pump(true);
    }, LINGER_MS);
    this.#lingerTimer.unref();
  }

  #applied(ops: LogOp[]): void {
    for (const op of ops) if (op.kind === 'insert') op.ack('stored');
    this.#progress.done(ops.length);
  }

  /** Writes that will never be made: counted, and whoever waits on them is answered. */
  #lost(ops: LogOp[], message: string): void {
    if (ops.length === 0) return;
    this.#lostRows += ops.length;
    this.log.error({ lostRows: ops.length }, message);
    for (const op of ops) if (op.kind === 'insert') op.ack('dropped');
    this.#progress.done(ops.length);
  }

  async #apply(ops: LogOp[]): Promise<void> {
    await writeBatch(this.prisma, toBatch(ops));
  }

  async #applyOneByOne(ops: LogOp[]): Promise<void> {
    for (const op of ops) {
      try {
        await this.#apply([op]);
        this.#applied([op]);
      } catch (error) {
        this.#lostRows += 1;
        if (op.kind === 'insert') op.ack('dropped');
        this.#progress.done(1);
        this.log.error({ err: error, op: op.kind }, 'the database refused a delivery log write; it is dropped');
      }
    }
  }
}
