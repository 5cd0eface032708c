import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import { backoffDelay } from '../xmpp/backoff.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { insertDeliveries, type LogBatch, writeChanges } from './log-statements.ts';
import type { AttemptRecord, DeliveryPatch, DeliveryRecord } from './records.ts';

/**
 * Every write to the delivery log, in order, in batches (group commit: at most three statements
 * for everything queued meanwhile, src/db/log-statements.ts). Deliveries never wait on the
 * database for long: while it is unreachable, writes are held in memory (bounded by
 * DELIVERY_LOG_BUFFER_MAX) and applied when it is back; past the bound the oldest are dropped
 * and counted (`lostRows`, in status).
 */
/** `stored`: committed; `deferred`: not now (database down or slow), still queued; `dropped`: lost to the buffer bound. */
export type InsertAck = 'stored' | 'deferred' | 'dropped';
export type LogState = 'up' | 'down' | 'closed';

type Op =
  | { kind: 'insert'; row: DeliveryRecord; ack: (result: InsertAck) => void }
  | { kind: 'attempt'; row: AttemptRecord }
  | { kind: 'update'; id: string; patch: DeliveryPatch };

export interface LogWriterStatus {
  state: LogState;
  since: Date;
  lastError: string | undefined;
  buffered: number;
  written: number;
  lostRows: number;
}

export interface LogWriterOptions {
  bufferMax: number;
  /** Re-establishes the database (probe, migrations) after an outage; throws while it is down. */
  recover: () => Promise<void>;
  retryMinMs?: number;
  retryMaxMs?: number;
}

const BATCH_MAX = 500;
/** How long attempts and updates may wait to share a batch (they are write-behind). */
const LINGER_MS = 10;
/** A delivery waits this long at most for its row before its first attempt (a slow database). */
const INSERT_ACK_WAIT_MS = 2_000;

export class LogWriter extends EventEmitter<{ up: []; down: []; drained: [] }> {
  #ops: Op[] = [];
  #pumping = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #everUp = false;
  /** Ops taken out of the queue by the batch being written. */
  #inFlight = 0;
  /** Ops ever queued, and ops done with (written, refused or dropped): the queue is FIFO. */
  #queuedCount = 0;
  #doneCount = 0;
  #doneWaiters: { target: number; resolve: () => void }[] = [];
  /** An insert is queued: the next batch goes now, without lingering. */
  #insertWaiting = false;
  #lingerTimer: NodeJS.Timeout | undefined;
  #status: LogWriterStatus = { state: 'down', since: new Date(), lastError: 'not started', buffered: 0, written: 0, lostRows: 0 };

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: LogWriterOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  status(): LogWriterStatus {
    return { ...this.#status, buffered: this.#ops.length + this.#inFlight };
  }

  get up(): boolean {
    return this.#status.state === 'up';
  }

  /** First connection; when it fails the writer starts down and keeps trying in the background. */
  async start(): Promise<void> {
    await this.#recover();
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
    let answerFirst!: (result: InsertAck) => void;
    let answerFinal!: (result: InsertAck) => void;
    const first = new Promise<InsertAck>((resolve) => (answerFirst = resolve));
    const final = new Promise<InsertAck>((resolve) => (answerFinal = resolve));
    let answered = false;
    const ack = (result: InsertAck) => {
      if (!answered) {
        answered = true;
        clearTimeout(timer);
        answerFirst(result);
      }
      if (result !== 'deferred') answerFinal(result);
    };
    const timer = setTimeout(() => ack('deferred'), INSERT_ACK_WAIT_MS);
    timer.unref();
    this.#push({ kind: 'insert', row, ack });
    if (!this.up) ack('deferred');
    return { first, final };
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
    const target = this.#queuedCount;
    if (this.#doneCount >= target) return Promise.resolve();
    return new Promise<void>((resolve) => this.#doneWaiters.push({ target, resolve }));
  }

  /** One round trip to the database now (readiness); an outage found here is handled as any other. */
  async probe(): Promise<void> {
    if (!this.up) return;
    try {
      await this.prisma.$queryRaw`SELECT 1`;
    } catch (error) {
      if (this.up) this.#goDown(error);
    }
  }

  /** Resolves when everything queued so far is written, or the database is down. */
  async flushed(): Promise<void> {
    while (this.up && (this.#ops.length > 0 || this.#pumping)) await new Promise<void>((resolve) => this.once('drained', () => resolve()));
  }

  /** Writes what it can within `timeoutMs`; what is left is counted lost. */
  async close(timeoutMs: number): Promise<void> {
    clearTimeout(this.#retryTimer);
    void this.#pump(true);
    await Promise.race([this.flushed(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    const left = this.#ops.splice(0);
    if (left.length > 0) {
      this.#status.lostRows += left.length;
      this.log.error({ lostRows: left.length }, 'delivery log writes lost at shutdown: the database was unreachable');
    }
    for (const op of left) if (op.kind === 'insert') op.ack('dropped');
    this.#done(left.length);
    // Nothing more will be written: whoever waits for a read-after-write gives up now.
    this.#done(Number.MAX_SAFE_INTEGER);
    this.#setState('closed');
  }

  #push(op: Op): void {
    if (this.#status.state === 'closed') {
      this.#status.lostRows += 1;
      if (op.kind === 'insert') op.ack('dropped');
      return;
    }
    this.#queuedCount += 1;
    if (this.#ops.length >= this.options.bufferMax) {
      const dropped = this.#ops.shift()!;
      if (dropped.kind === 'insert') dropped.ack('dropped');
      if (this.#status.lostRows === 0) this.log.error({ bufferMax: this.options.bufferMax }, 'delivery log buffer full: dropping the oldest writes');
      this.#status.lostRows += 1;
      this.#done(1);
    }
    this.#ops.push(op);
    if (op.kind === 'insert') this.#insertWaiting = true;
    void this.#pump();
  }

  #done(count: number): void {
    this.#doneCount += count;
    if (this.#doneWaiters.length === 0) return;
    const ready = this.#doneWaiters.filter((waiter) => waiter.target <= this.#doneCount);
    this.#doneWaiters = this.#doneWaiters.filter((waiter) => waiter.target > this.#doneCount);
    for (const waiter of ready) waiter.resolve();
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
          this.#written(batch);
        } catch (error) {
          if (await this.#reachable()) {
            // The database is fine: some write in the batch is refused. Isolate it.
            await this.#applyOneByOne(batch);
          } else {
            this.#ops.unshift(...batch);
            this.#insertWaiting ||= batch.some((op) => op.kind === 'insert');
            this.#goDown(error);
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

  #written(ops: Op[]): void {
    this.#status.written += ops.length;
    for (const op of ops) if (op.kind === 'insert') op.ack('stored');
    this.#done(ops.length);
  }

  async #apply(ops: Op[]): Promise<void> {
    const batch = toBatch(ops);
    // Inserts before attempts before updates keeps each delivery's own order. The deliveries
    // waiting for their rows (before their first attempt) go on as soon as the inserts commit.
    await insertDeliveries(this.prisma, batch.inserts);
    for (const op of ops) if (op.kind === 'insert') op.ack('stored');
    await writeChanges(this.prisma, batch);
  }

  async #applyOneByOne(ops: Op[]): Promise<void> {
    for (const op of ops) {
      try {
        await this.#apply([op]);
        this.#written([op]);
      } catch (error) {
        this.#status.lostRows += 1;
        if (op.kind === 'insert') op.ack('dropped');
        this.#done(1);
        this.log.error({ err: error, op: op.kind }, 'the database refused a delivery log write; it is dropped');
      }
    }
  }

  async #reachable(): Promise<boolean> {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
      return true;
    } catch {
      return false;
    }
  }

  #goDown(error: unknown): void {
    // Prisma's messages start with a blank line and the call site; the last line is the cause.
    const lines = (error instanceof Error ? error.message : String(error)).split('\n').filter((line) => line.trim() !== '');
    this.#status.lastError = lines.at(-1)?.trim() ?? 'unknown error';
    if (this.#status.state === 'up') this.log.warn({ reason: this.#status.lastError }, 'delivery log database unreachable; buffering writes');
    for (const op of this.#ops) if (op.kind === 'insert') op.ack('deferred');
    this.#setState('down');
    this.#failures += 1;
    const delay = backoffDelay(this.#failures, { minMs: this.options.retryMinMs ?? 250, maxMs: this.options.retryMaxMs ?? 10_000 });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#recover(), delay);
    this.#retryTimer.unref();
  }

  async #recover(): Promise<void> {
    try {
      await this.options.recover();
    } catch (error) {
      this.#goDown(error);
      return;
    }
    if (this.#status.state === 'closed') return;
    this.#failures = 0;
    this.#status.lastError = undefined;
    if (this.#everUp) this.log.info({ buffered: this.#ops.length }, 'delivery log database is back; writing what was buffered');
    this.#everUp = true;
    this.#setState('up');
    this.emit('up');
    void this.#pump();
  }

  #setState(state: LogState): void {
    if (this.#status.state === state) return;
    this.#status.state = state;
    this.#status.since = new Date();
    if (state === 'down') this.emit('down');
  }
}

/**
 * Groups a run of ops by statement. A patch of a delivery inserted in the same batch is folded
 * into its row (one write instead of two: what a backlog written after an outage is made of);
 * later patches of one delivery win, as they would applied one by one.
 */
function toBatch(ops: Op[]): LogBatch {
  const inserts = new Map<string, DeliveryRecord>();
  const attempts: AttemptRecord[] = [];
  const updates = new Map<string, DeliveryPatch>();
  for (const op of ops) {
    if (op.kind === 'insert') inserts.set(op.row.id, op.row);
    else if (op.kind === 'attempt') attempts.push(op.row);
    else {
      const inserted = inserts.get(op.id);
      if (inserted) inserts.set(op.id, { ...inserted, ...op.patch });
      else updates.set(op.id, { ...updates.get(op.id), ...op.patch });
    }
  }
  return { inserts: [...inserts.values()], attempts, updates };
}
