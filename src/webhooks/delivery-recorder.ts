import type { EventEmitter } from 'node:events';
import type { LogWriter } from '../db/log-writer.ts';
import type { AttemptRecord, DeliveryOutcome, DeliveryRecord } from '../db/records.ts';
import type { DeliveryEvents } from './delivery-events.ts';

/** For metrics: listeners must be cheap (they run on the delivery path). */
export interface DeliveryMetricEvents {
  /** A delivery ended; seconds from arrival to the outcome. */
  final: [outcome: DeliveryOutcome, seconds: number];
  retry: [];
}

/** What the recorder needs of the LogWriter. */
export type RecorderWriter = Pick<LogWriter, 'attempt' | 'update'>;

/**
 * What the dispatcher tells the world about a delivery, in one place: the log (write-behind),
 * the live events (only built when somebody listens), the counters of status() and the metric
 * events. Cheap on purpose: it runs once or twice per delivery on the hot path.
 */
export class DeliveryRecorder {
  readonly counters = { accepted: 0, delivered: 0, failed: 0, retries: 0, rejected: 0 };

  constructor(
    private readonly writer: RecorderWriter,
    private readonly events: DeliveryEvents,
    private readonly metricEvents: EventEmitter<DeliveryMetricEvents>,
  ) {}

  accepted(record: DeliveryRecord): void {
    this.counters.accepted += 1;
    this.#publish(record);
  }

  /** A non-final attempt: the delivery stays pending (retried later, or after a restart). */
  attempt(record: DeliveryRecord, attempt: AttemptRecord): void {
    record.updatedAt = new Date();
    if (attempt.errorKind !== 'aborted') {
      this.counters.retries += 1;
      this.metricEvents.emit('retry');
    }
    this.writer.attempt(attempt);
    this.writer.update(record.id, {
      attemptCount: record.attemptCount,
      nextAttemptAt: record.nextAttemptAt,
      updatedAt: record.updatedAt,
    });
    this.#publish(record, attempt);
  }

  /** The final outcome, after the reply (if any) went to the sender. */
  finished(
    record: DeliveryRecord,
    status: 'delivered' | 'failed',
    outcome: DeliveryOutcome,
    replyXml: string | null,
    attempt?: AttemptRecord,
  ): void {
    const now = new Date();
    Object.assign(record, { status, outcome, replyXml, finishedAt: now, nextAttemptAt: null, updatedAt: now });
    if (attempt) this.writer.attempt(attempt);
    const { finishedAt, nextAttemptAt, updatedAt, attemptCount } = record;
    this.writer.update(record.id, { status, outcome, replyXml, finishedAt, nextAttemptAt, updatedAt, attemptCount });
    this.counters[status] += 1;
    this.#ended(record, outcome);
    this.#publish(record, attempt);
  }

  /** A delivery kept only as a row, lost before it was written (its sender was told). */
  lost(record: DeliveryRecord): void {
    this.#ended(record, 'rejected');
  }

  #ended(record: DeliveryRecord, outcome: DeliveryOutcome): void {
    if (outcome === 'rejected') this.counters.rejected += 1;
    this.metricEvents.emit('final', outcome, (Date.now() - record.createdAt.getTime()) / 1000);
  }

  #publish(record: DeliveryRecord, attempt?: AttemptRecord): void {
    if (!this.events.listening) return;
    this.events.publish({ delivery: { ...record }, ...(attempt ? { attempt } : {}) });
  }
}
