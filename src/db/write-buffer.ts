import type { Logger } from '../log.ts';
import type { LogOp } from './log-batch.ts';
import { WriteProgress } from './write-progress.ts';

/**
 * The delivery log's writes waiting for the database, oldest first, at most `max` of them
 * (DELIVERY_LOG_BUFFER_MAX): past the bound the oldest is dropped, so that an outage costs log
 * rows, never memory. Every write ends here one way or another — written, or lost (dropped by
 * the bound, refused by the database, left at shutdown): a lost write is counted (`lostRows`)
 * and an insert's waiter is answered `dropped`, so that nobody waits for it forever.
 */
export class WriteBuffer {
  #ops: LogOp[] = [];
  /** Ops taken out by the batch being written: still buffered, no longer queued. */
  #inFlight = 0;
  /** An insert was queued since the last take: the next batch should go now. */
  #insertWaiting = false;
  #lostRows = 0;
  #closed = false;
  readonly #progress = new WriteProgress();

  constructor(
    private readonly max: number,
    private readonly log: Logger,
  ) {}

  /** Ops queued, not taken by a batch yet. */
  get queued(): number {
    return this.#ops.length;
  }

  /** Ops not written yet: queued, or in the batch being written. */
  get buffered(): number {
    return this.#ops.length + this.#inFlight;
  }

  get lostRows(): number {
    return this.#lostRows;
  }

  get insertWaiting(): boolean {
    return this.#insertWaiting;
  }

  /** Queues a write; once closed, it is lost at once. */
  push(op: LogOp): void {
    if (this.#closed) {
      this.#lostRows += 1;
      if (op.kind === 'insert') op.ack('dropped');
      return;
    }
    this.#progress.queued();
    if (this.#ops.length >= this.max) {
      const dropped = this.#ops.shift()!;
      if (dropped.kind === 'insert') dropped.ack('dropped');
      if (this.#lostRows === 0)
        this.log.error({ bufferMax: this.max }, 'delivery log buffer full: dropping the oldest writes');
      this.#lostRows += 1;
      this.#progress.done(1);
    }
    this.#ops.push(op);
    if (op.kind === 'insert') this.#insertWaiting = true;
  }

  /** The oldest `max` ops, for one batch; they count as buffered until batchSettled(). */
  take(max: number): LogOp[] {
    this.#insertWaiting = false;
    const batch = this.#ops.splice(0, max);
    this.#inFlight = batch.length;
    return batch;
  }

  /** A batch the database could not take goes back in front, as it was, to be written again. */
  putBack(batch: LogOp[]): void {
    this.#ops.unshift(...batch);
    this.#insertWaiting ||= batch.some((op) => op.kind === 'insert');
  }

  /** The batch taken is done with: written, lost or put back. */
  batchSettled(): void {
    this.#inFlight = 0;
  }

  written(ops: LogOp[]): void {
    for (const op of ops) if (op.kind === 'insert') op.ack('stored');
    this.#progress.done(ops.length);
  }

  /** Writes that will never be made: counted, and whoever waits on them is answered. */
  lost(ops: LogOp[], message: string): void {
    if (ops.length === 0) return;
    this.#lostRows += ops.length;
    this.log.error({ lostRows: ops.length }, message);
    for (const op of ops) if (op.kind === 'insert') op.ack('dropped');
    this.#progress.done(ops.length);
  }

  /** One write the database refused (a batch written op by op to find it): dropped. */
  refused(op: LogOp, error: unknown): void {
    this.#lostRows += 1;
    if (op.kind === 'insert') op.ack('dropped');
    this.#progress.done(1);
    this.log.error({ err: error, op: op.kind }, 'the database refused a delivery log write; it is dropped');
  }

  /** The database went down: deliveries waiting for their rows go on without them. */
  deferInserts(): void {
    for (const op of this.#ops) if (op.kind === 'insert') op.ack('deferred');
  }

  /**
   * Resolves when every write queued before this call is done with (written, or lost), waiting
   * through outages: a read that follows sees all of them.
   */
  reached(): Promise<void> {
    return this.#progress.reached();
  }

  /** Nothing more will be written: what is queued is lost, waiters stop waiting, later pushes are lost. */
  close(message: string): void {
    this.lost(this.#ops.splice(0), message);
    // Whoever waits for a read-after-write gives up now.
    this.#progress.end();
    this.#closed = true;
  }
}
