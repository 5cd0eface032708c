import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import { backoffDelay } from '../xmpp/backoff.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { AttemptRecord, DeliveryPatch, DeliveryRecord } from './records.ts';

/**
 * Every write to the delivery log, in order, in batches (group commit: one INSERT for all
 * deliveries accepted meanwhile). Deliveries never wait on the database for long: while it is
 * unreachable, writes are held in memory (bounded by DELIVERY_LOG_BUFFER_MAX) and applied when
 * it is back; past the bound the oldest are dropped and counted (`lostRows`, in status).
 * No interactive transactions (prisma/orm#30374): single statements, each idempotent
 * (skipDuplicates, plain SETs), so a batch interrupted by an outage is simply applied again.
 */
export type InsertAck = 'stored' | 'deferred';
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

  /** Resolves `stored` once the row is committed, `deferred` when the database cannot take it now. */
  insert(row: DeliveryRecord): Promise<InsertAck> {
    return new Promise<InsertAck>((resolve) => {
      let settled = false;
      const ack = (result: InsertAck) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => ack('deferred'), INSERT_ACK_WAIT_MS);
      timer.unref();
      this.#push({ kind: 'insert', row, ack });
      if (!this.up) ack('deferred');
    });
  }

  attempt(row: AttemptRecord): void {
    this.#push({ kind: 'attempt', row });
  }

  update(id: string, patch: DeliveryPatch): void {
    this.#push({ kind: 'update', id, patch });
  }

  /** Resolves when everything queued so far is written, or the database is down. */
  async flushed(): Promise<void> {
    while (this.up && (this.#ops.length > 0 || this.#pumping)) await new Promise<void>((resolve) => this.once('drained', () => resolve()));
  }

  /** Writes what it can within `timeoutMs`; what is left is counted lost. */
  async close(timeoutMs: number): Promise<void> {
    clearTimeout(this.#retryTimer);
    await Promise.race([this.flushed(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    const left = this.#ops.splice(0);
    if (left.length > 0) {
      this.#status.lostRows += left.length;
      this.log.error({ lostRows: left.length }, 'delivery log writes lost at shutdown: the database was unreachable');
    }
    for (const op of left) if (op.kind === 'insert') op.ack('deferred');
    this.#setState('closed');
  }

  #push(op: Op): void {
    if (this.#status.state === 'closed') {
      this.#status.lostRows += 1;
      if (op.kind === 'insert') op.ack('deferred');
      return;
    }
    if (this.#ops.length >= this.options.bufferMax) {
      const dropped = this.#ops.shift()!;
      if (dropped.kind === 'insert') dropped.ack('deferred');
      if (this.#status.lostRows === 0) this.log.error({ bufferMax: this.options.bufferMax }, 'delivery log buffer full: dropping the oldest writes');
      this.#status.lostRows += 1;
    }
    this.#ops.push(op);
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping || !this.up) return;
    this.#pumping = true;
    try {
      while (this.#ops.length > 0 && this.up) {
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

  #written(ops: Op[]): void {
    this.#status.written += ops.length;
    for (const op of ops) if (op.kind === 'insert') op.ack('stored');
  }

  async #apply(ops: Op[]): Promise<void> {
    const inserts: DeliveryRecord[] = [];
    const attempts: AttemptRecord[] = [];
    const updates = new Map<string, DeliveryPatch>();
    for (const op of ops) {
      if (op.kind === 'insert') inserts.push(op.row);
      else if (op.kind === 'attempt') attempts.push(op.row);
      // Later patches of the same delivery win, as they would applied one by one.
      else updates.set(op.id, { ...updates.get(op.id), ...op.patch });
    }
    // Inserts before attempts before updates keeps each delivery's own order.
    if (inserts.length > 0) await this.prisma.delivery.createMany({ data: inserts, skipDuplicates: true });
    if (attempts.length > 0) {
      await this.prisma.deliveryAttempt.createMany({
        data: attempts.map(({ responseHeaders, ...rest }) => (responseHeaders ? { ...rest, responseHeaders } : rest)),
        skipDuplicates: true,
      });
    }
    await Promise.all([...updates].map(([id, data]) => this.prisma.delivery.updateMany({ where: { id }, data })));
  }

  async #applyOneByOne(ops: Op[]): Promise<void> {
    for (const op of ops) {
      try {
        await this.#apply([op]);
        this.#written([op]);
      } catch (error) {
        this.#status.lostRows += 1;
        if (op.kind === 'insert') op.ack('deferred');
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
