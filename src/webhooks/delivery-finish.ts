import type { AttemptRecord, DeliveryOutcome, DeliveryRecord } from '../db/records.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../log.ts';
import { errorReply, type Stanza } from '../xmpp/codec/index.ts';
import type { Active, ActiveDeliveries } from './active-deliveries.ts';
import type { Backlog } from './backlog.ts';
import type { DeliveryRecorder } from './delivery-recorder.ts';
import type { Verdict } from './reply-rules.ts';

/** How a delivery ends: its status and outcome, and the stanza its sender gets (if any). */
export type Final = Pick<Verdict, 'status' | 'outcome' | 'reply'>;

export interface FinishDeps {
  /** Sends a stanza back to the sender (through the core's outbound queue). */
  send: (stanza: Stanza) => Promise<void>;
  active: ActiveDeliveries;
  recorder: Pick<DeliveryRecorder, 'finished' | 'lost'>;
  /** Told of every delivery that leaves memory: room for the rows waiting in the log. */
  backlog: Pick<Backlog, 'finished'>;
  log: Logger;
}

/** An end without an attempt: the iq's sender is told why (anything else gets nothing). */
export function refusal(
  active: Active,
  kind: 'shutting-down' | 'delivery-interrupted' | 'webhook-queue-full',
  outcome: DeliveryOutcome,
): Final {
  const reply = active.stanza.isIqRequest
    ? errorReply(active.stanza, new GatewayError(kind).toStanzaError())
    : undefined;
  return { status: 'failed', outcome, reply };
}

/**
 * The finish path of a delivery: the one final outcome goes to the sender, the delivery leaves
 * memory (its slot freed for the backlog), and the outcome is recorded (log, events, counters).
 * Also the two ends that are no outcome of an attempt: a delivery that crashed, and a delivery
 * kept only as a row that the log lost.
 */
export class DeliveryFinish {
  constructor(private readonly deps: FinishDeps) {}

  /** The one final outcome: the reply (if any) to the sender, then the log and the event. */
  async finish(active: Active, final: Final, attempt?: AttemptRecord): Promise<void> {
    this.deps.active.ending(active);
    const { record } = active;
    const reply = active.answers ? final.reply : undefined;
    let replyXml: string | null = null;
    if (reply) {
      try {
        await this.deps.send(reply);
        replyXml = reply.toXml();
      } catch (error) {
        this.deps.log.warn({ err: error, delivery: record.id }, 'could not send the webhook outcome to the sender');
      }
    }
    this.deps.active.release(record.id);
    this.deps.recorder.finished(record, final.status, final.outcome, replyXml, attempt);
    this.deps.backlog.finished(record.id);
  }

  /** Ends a delivery outside an attempt run (refused, or an iq found pending). */
  end(active: Active, final: Final): void {
    void this.finish(active, final).catch((error: unknown) => this.crashed(active, error));
  }

  /**
   * Something threw that never should (a bug, a value node refused): the delivery still ends,
   * as failed, so that an iq gets its one reply and its WEBHOOK_QUEUE_MAX slot is freed —
   * left pending, it would hang until the next start and fail the same way again.
   */
  async crashed(active: Active, error: unknown): Promise<void> {
    const { record } = active;
    this.deps.log.error({ err: error, delivery: record.id }, 'a delivery failed unexpectedly; it ends as failed');
    try {
      if (!active.ending) {
        const reply = active.stanza.isReply
          ? undefined
          : errorReply(active.stanza, new GatewayError('internal').toStanzaError());
        await this.finish(active, { status: 'failed', outcome: 'interrupted', reply });
      }
    } catch (again) {
      this.deps.log.error(
        { err: again, delivery: record.id },
        'a delivery that failed unexpectedly could not be ended cleanly',
      );
    } finally {
      // Whatever finish() got through: the slot is free and the backlog may fill it.
      this.deps.active.release(record.id);
      this.deps.backlog.finished(record.id);
    }
  }

  /**
   * The log's buffer overflowed (a long outage) before a delivery kept only as a row was
   * written: the delivery exists nowhere now. The sender is told, so nothing is dropped silently.
   */
  lost(record: DeliveryRecord, stanza: Stanza): void {
    this.deps.log.error(
      { delivery: record.id },
      'a delivery waiting in the log was lost to the buffer bound; the sender gets an error',
    );
    const reply = stanza.isReply
      ? undefined
      : errorReply(stanza, new GatewayError('webhook-queue-full').toStanzaError());
    if (reply) void this.deps.send(reply).catch(() => {});
    this.deps.recorder.lost(record);
  }
}
