import { EventEmitter } from 'node:events';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { LogAvailability } from './log-availability.ts';
import { type LogOp, toBatch, writeBatch } from './log-batch.ts';
import type { WriteBuffer } from './write-buffer.ts';

const BATCH_MAX = 500;
/** How long attempts and updates may wait to share a batch (they are write-behind). */
const LINGER_MS = 10;

/**
 * The loop that takes batches from the write buffer and writes them, one at a time (group
 * commit: one statement for everything queued meanwhile, log-batch.ts). A batch that fails is
 * put back whole when the database does not answer (it is down: the availability retries), and
 * written op by op when it does (one write is refused: only that one is dropped).
 */
export class BatchPump extends EventEmitter<{ drained: [] }> {
  #pumping = false;
  #lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly buffer: WriteBuffer,
    private readonly database: LogAvailability,
    private readonly prisma: PrismaClient,
  ) {
    super();
  }

  /** Resolves when everything queued so far is written, or the database is down. */
  async flushed(): Promise<void> {
    while (this.database.up && (this.buffer.queued > 0 || this.#pumping))
      await new Promise<void>((resolve) => this.once('drained', () => resolve()));
  }

  /**
   * Writes batches while there is something urgent: a new delivery waits for its row before its
   * first attempt, so inserts go at once. Attempts and updates linger up to LINGER_MS to join
   * one batch: written one or two at a time as they came, they kept the embedded database (which
   * runs on this thread) busy enough to slow the deliveries themselves to ~200/s. `lingered`:
   * the wait is over (or there is none: shutdown), write what there is.
   */
  async run(lingered = false): Promise<void> {
    if (this.#pumping || !this.database.up) return;
    this.#pumping = true;
    try {
      while (this.buffer.queued > 0 && this.database.up) {
        if (!lingered && !this.buffer.insertWaiting && this.buffer.queued < BATCH_MAX) {
          this.#runLater();
          break;
        }
        lingered = false;
        const batch = this.buffer.take(BATCH_MAX);
        try {
          await this.#apply(batch);
          this.buffer.written(batch);
        } catch (error) {
          await this.#failed(batch, error);
        } finally {
          this.buffer.batchSettled();
        }
      }
    } finally {
      this.#pumping = false;
      this.emit('drained');
    }
  }

  async #failed(batch: LogOp[], error: unknown): Promise<void> {
    const closed = () => this.database.state === 'closed';
    const reachable = !closed() && (await this.database.reachable());
    if (closed()) {
      // close() stopped waiting for this batch: nothing will write it now, nor reopen the log.
      this.buffer.lost(batch, 'delivery log writes lost at shutdown: a batch failed after the log closed');
    } else if (reachable) {
      // The database is fine: some write in the batch is refused. Isolate it.
      await this.#applyOneByOne(batch);
    } else {
      this.buffer.putBack(batch);
      this.database.down(error, this.buffer.queued);
    }
  }

  #runLater(): void {
    if (this.#lingerTimer) return;
    this.#lingerTimer = setTimeout(() => {
      this.#lingerTimer = undefined;
      void this.run(true);
    }, LINGER_MS);
    this.#lingerTimer.unref();
  }

  async #apply(ops: LogOp[]): Promise<void> {
    await writeBatch(this.prisma, toBatch(ops));
  }

  async #applyOneByOne(ops: LogOp[]): Promise<void> {
    for (const op of ops) {
      try {
        await this.#apply([op]);
        this.buffer.written([op]);
      } catch (error) {
        this.buffer.refused(op, error);
      }
    }
  }
}
