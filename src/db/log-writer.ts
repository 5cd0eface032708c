import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { BatchPump } from './batch-pump.ts';
import { type AvailabilityOptions, LogAvailability, type LogState } from './log-availability.ts';
import { type InsertAck, insertAck, type LogOp } from './log-batch.ts';
import type { AttemptRecord, DeliveryPatch, DeliveryRecord } from './records.ts';
import { WriteBuffer } from './write-buffer.ts';

export type { InsertAck } from './log-batch.ts';
export type { LogState } from './log-availability.ts';

/**
 * Every write to the delivery log, in order, in batches (group commit: one statement for
 * everything queued meanwhile, src/db/log-batch.ts). Deliveries never wait on the
 * database for long: while it is unreachable, writes are held in memory (bounded by
 * DELIVERY_LOG_BUFFER_MAX) and applied when it is back; past the bound the oldest are dropped
 * and counted (`lostRows`, in status). Three parts: the bounded buffer (write-buffer.ts), the
 * loop writing its batches (batch-pump.ts) and the database's availability
 * (log-availability.ts); this class joins them and is all that the webhooks see.
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

/** A delivery waits this long at most for its row before its first attempt (a slow database). */
const INSERT_ACK_WAIT_MS = 2_000;

export class LogWriter extends EventEmitter<{ up: [] }> {
  readonly #buffer: WriteBuffer;
  readonly #database: LogAvailability;
  readonly #pump: BatchPump;

  constructor(prisma: PrismaClient, options: LogWriterOptions, log: Logger) {
    super();
    this.#buffer = new WriteBuffer(options.bufferMax, log);
    this.#database = new LogAvailability(prisma, options, log);
    this.#pump = new BatchPump(this.#buffer, this.#database, prisma);
    this.#database.on('up', () => {
      this.emit('up');
      void this.#pump.run();
    });
    // Deliveries waiting for their rows go on without them.
    this.#database.on('down', () => this.#buffer.deferInserts());
  }

  status(): LogWriterStatus {
    const { state, since, lastError } = this.#database;
    return { state, since, lastError, buffered: this.#buffer.buffered, lostRows: this.#buffer.lostRows };
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
    return this.#buffer.reached();
  }

  /** One round trip to the database now (readiness); an outage found here is handled as any other. */
  async probe(): Promise<void> {
    if (!this.up) return;
    if (!(await this.#database.reachable()) && this.up)
      this.#database.down(new Error('the database does not answer'), this.#buffer.queued);
  }

  /** Resolves when everything queued so far is written, or the database is down. */
  flushed(): Promise<void> {
    return this.#pump.flushed();
  }

  /** Writes what it can within `timeoutMs`; what is left is counted lost. */
  async close(timeoutMs: number): Promise<void> {
    void this.#pump.run(true);
    await Promise.race([this.flushed(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    this.#buffer.close('delivery log writes lost at shutdown: the database was unreachable');
    this.#database.close();
  }

  #push(op: LogOp): void {
    this.#buffer.push(op);
    void this.#pump.run();
  }
}
