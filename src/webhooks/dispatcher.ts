import { type EventEmitter, setMaxListeners } from 'node:events';
import type { WebhookSettings } from '../config.ts';
import type { LogWriter } from '../db/log-writer.ts';
import type { AttemptRecord, DeliveryOutcome, DeliveryRecord } from '../db/records.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../log.ts';
import { errorReply, type Stanza } from '../xmpp/codec/index.ts';
import { type AttemptContext, runAttempts } from './attempt-loop.ts';
import { Backlog, type BacklogStore, type BacklogWriter } from './backlog.ts';
import type { CallbackClient } from './callback-client.ts';
import { ConcurrencyLimit } from './concurrency-limit.ts';
import { newDeliveryRecord } from './delivery-record.ts';
import type { DeliveryEvents } from './delivery-events.ts';
import { type DeliveryMetricEvents, DeliveryRecorder, type RecorderWriter } from './delivery-recorder.ts';
import type { Verdict } from './reply-rules.ts';
import { SenderLanes } from './sender-lanes.ts';
import { stanzaFromLog } from './stored-stanza.ts';

/**
 * Turns accepted stanzas into callback attempts: a log row before the first attempt, per-sender
 * order for messages and presences, retries on the schedule, and the one final outcome sent to
 * the sender. At most WEBHOOK_QUEUE_MAX deliveries live in memory; past that, messages and
 * presences wait as rows in the log (Backlog) and iqs are refused at once. The log is written
 * behind all of it.
 */
export interface DispatcherDeps {
  send: (stanza: Stanza) => Promise<void>;
  domain: string;
  settings: WebhookSettings;
  /** The largest callback reply that is parsed (the /rest body limit). */
  maxReplyBytes: number;
  /** XMPP_MAX_STANZA_BYTES: a reply larger once serialised is an invalid response. */
  maxStanzaBytes: number;
  client: CallbackClient;
  store: BacklogStore;
  writer: DispatcherWriter;
  events: DeliveryEvents;
  metricEvents: EventEmitter<DeliveryMetricEvents>;
  log: Logger;
}

/** What the dispatcher needs of the LogWriter (narrow, so that tests can stand in for it). */
export type DispatcherWriter = Pick<LogWriter, 'insert' | 'up'> & BacklogWriter & RecorderWriter;

interface Active {
  record: DeliveryRecord;
  stanza: Stanza;
  /** Whether the sender gets the outcome: not for a redelivered iq (nobody waits any more). */
  answers: boolean;
  stored: Promise<unknown>;
  /** The final outcome is being (or was) sent: no second one, whatever fails afterwards. */
  ending: boolean;
}

type Final = Pick<Verdict, 'status' | 'outcome' | 'reply'>;

export class Dispatcher {
  readonly #active = new Map<string, Active>();
  /**
   * Active deliveries whose outcome is being sent: the sender's reply waits for the XMPP
   * server's acknowledgement, but the delivery no longer counts against WEBHOOK_QUEUE_MAX.
   */
  #ending = 0;
  readonly #lanes = new SenderLanes<Active>((active) => this.#deliver(active));
  readonly #running = new Set<Promise<void>>();
  readonly #limit: ConcurrencyLimit;
  readonly #closing = new AbortController();
  readonly #abort = new AbortController();
  readonly #attempts: AttemptContext;
  readonly #backlog: Backlog;
  readonly #recorder: DeliveryRecorder;
  #retryWaits = 0;

  constructor(private readonly deps: DispatcherDeps) {
    this.#limit = new ConcurrencyLimit(deps.settings.concurrency);
    this.#recorder = new DeliveryRecorder(deps.writer, deps.events, deps.metricEvents);
    // Every retry wait and every request in flight listens on one of these.
    setMaxListeners(0, this.#closing.signal);
    setMaxListeners(0, this.#abort.signal);
    this.#attempts = {
      replyRules: { domain: deps.domain, maxStanzaBytes: deps.maxStanzaBytes },
      settings: deps.settings,
      maxReplyBytes: deps.maxReplyBytes,
      client: deps.client,
      limit: this.#limit,
      closing: this.#closing.signal,
      abort: this.#abort.signal,
      onAttempt: (attempt) => {
        const active = this.#active.get(attempt.deliveryId);
        if (active) this.#recorder.attempt(active.record, attempt);
      },
      onRetryWait: (waiting) => (this.#retryWaits += waiting ? 1 : -1),
    };
    this.#backlog = new Backlog({
      store: deps.store,
      writer: deps.writer,
      room: () => deps.settings.queueMax - this.#held,
      isActive: (id) => this.#active.has(id),
      take: (row) => this.#takeUp(row),
      log: deps.log,
    });
  }

  status() {
    return {
      active: this.#held,
      inFlight: this.#limit.running,
      queued: this.#lanes.queued,
      retryWaiting: this.#retryWaits,
      spilled: this.#backlog.spilled,
      ...this.#recorder.counters,
    };
  }

  /** When the oldest delivery in memory arrived (undefined when there is none). */
  oldestPending(): Date | undefined {
    let oldest: Date | undefined;
    for (const { record } of this.#active.values()) if (!oldest || record.createdAt < oldest) oldest = record.createdAt;
    return oldest;
  }

  /** Takes up what earlier runs left pending (once the database is there). */
  resume(): void {
    this.#backlog.resume();
  }

  /** The database is back: a read of the backlog that failed may go on. */
  databaseUp(): void {
    this.#backlog.fill();
  }

  /**
   * Takes an inbound stanza (synchronously: called on the link's read path), or a redelivery.
   * Throws GatewayError `webhook-queue-full` for a redelivered iq past the bound.
   */
  accept(stanza: Stanza, redeliveryOf: string | null = null): DeliveryRecord {
    const record = newDeliveryRecord(stanza, redeliveryOf);
    const stopping = this.#closing.signal.aborted;
    const overBound = this.#held >= this.deps.settings.queueMax;
    // Behind rows waiting in the log, a new message waits there too (its sender's order) — but
    // not while the database is down: delivering beats ordering against rows it cannot read.
    // Iqs have no order to keep (no lanes): only the bound refuses them.
    const behindBacklog = this.#backlog.waiting && this.deps.writer.up;
    if (stanza.kind !== 'iq' && (stopping || overBound || behindBacklog)) {
      // Kept as a row only: the next start (stopping), or the backlog as room frees up.
      this.#spill(record, stanza);
    } else if (stanza.kind === 'iq' && (stopping || overBound)) {
      if (redeliveryOf !== null && overBound) throw new GatewayError('webhook-queue-full');
      // The sender is waiting: tell it now rather than hold an iq it will have given up on.
      const active = this.#track(record, stanza, this.deps.writer.insert({ ...record }));
      if (stopping) this.#end(active, this.#refused(active, 'shutting-down', 'interrupted'));
      else this.#end(active, this.#refused(active, 'webhook-queue-full', 'rejected'));
    } else {
      const active = this.#track(record, stanza, this.deps.writer.insert({ ...record }));
      this.#schedule(active);
    }
    this.#recorder.accepted(record);
    return { ...record };
  }

  /**
   * Stops starting attempts (retry waits end at once, queued deliveries stay pending), lets
   * the attempts in flight finish until `deadline` (epoch ms), then aborts the rest: they are
   * logged `aborted` and stay pending, to be made again after a restart.
   */
  async drain(deadline: number): Promise<void> {
    this.#closing.abort();
    this.#lanes.close();
    this.#backlog.stop();
    const settled = Promise.allSettled([...this.#running]);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
    await Promise.race([settled, grace]);
    clearTimeout(timer);
    this.#abort.abort();
    await settled;
  }

  #spill(record: DeliveryRecord, stanza: Stanza): void {
    void this.#backlog.spill({ ...record }).then((ack) => {
      if (ack !== 'dropped') return;
      // The log's buffer overflowed (a long outage) before the row was written: the delivery
      // exists nowhere now. The sender is told, so nothing is dropped silently.
      this.deps.log.error(
        { delivery: record.id },
        'a delivery waiting in the log was lost to the buffer bound; the sender gets an error',
      );
      const reply = stanza.isReply
        ? undefined
        : errorReply(stanza, new GatewayError('webhook-queue-full').toStanzaError());
      if (reply) void this.deps.send(reply).catch(() => {});
      this.#recorder.lost(record);
    });
  }

  /** A row read back from the log: an earlier run's, or one kept only as a row. */
  #takeUp(row: DeliveryRecord): void {
    const stanza = stanzaFromLog(row.xml, this.deps.domain);
    if (!stanza) {
      this.deps.log.error({ delivery: row.id }, 'a pending delivery cannot be read back; left as it is');
      return;
    }
    const active = this.#track({ ...row }, stanza, Promise.resolve());
    // An iq's sender gave up waiting long ago, or is about to: tell it now, do not POST.
    if (row.kind === 'iq') this.#end(active, this.#refused(active, 'delivery-interrupted', 'interrupted'));
    else this.#schedule(active);
  }

  #track(record: DeliveryRecord, stanza: Stanza, stored: Promise<unknown>): Active {
    const active = {
      record,
      stanza,
      stored,
      answers: !(record.redeliveryOf !== null && record.kind === 'iq'),
      ending: false,
    };
    this.#active.set(record.id, active);
    return active;
  }

  #schedule(active: Active): void {
    if (active.record.kind === 'iq') void this.#deliver(active);
    else this.#lanes.push(active.record.senderBare, active);
  }

  #refused(
    active: Active,
    kind: 'shutting-down' | 'delivery-interrupted' | 'webhook-queue-full',
    outcome: DeliveryOutcome,
  ): Final {
    const reply = active.stanza.isIqRequest
      ? errorReply(active.stanza, new GatewayError(kind).toStanzaError())
      : undefined;
    return { status: 'failed', outcome, reply };
  }

  #deliver(active: Active): Promise<void> {
    const run = this.#run(active).catch((error: unknown) => this.#crashed(active, error));
    this.#running.add(run);
    return run.finally(() => this.#running.delete(run));
  }

  async #run(active: Active): Promise<void> {
    // The row is written (or the database is down) before the first attempt.
    await active.stored;
    const result = this.#closing.signal.aborted
      ? 'stopped'
      : await runAttempts(active.record, active.stanza, this.#attempts);
    if (result !== 'stopped') await this.#finish(active, result.verdict, result.attempt);
    // A stopped iq is not made again after a restart (its sender would only be told then that
    // it was interrupted): tell the sender now, while the link is still up.
    else if (active.record.kind === 'iq')
      await this.#finish(active, this.#refused(active, 'shutting-down', 'interrupted'));
  }

  /** Ends a delivery outside an attempt run (refused, or an iq found pending). */
  #end(active: Active, final: Final): void {
    void this.#finish(active, final).catch((error: unknown) => this.#crashed(active, error));
  }

  /**
   * Something threw that never should (a bug, a value node refused): the delivery still ends,
   * as failed, so that an iq gets its one reply and its WEBHOOK_QUEUE_MAX slot is freed —
   * left pending, it would hang until the next start and fail the same way again.
   */
  async #crashed(active: Active, error: unknown): Promise<void> {
    const { record } = active;
    this.deps.log.error({ err: error, delivery: record.id }, 'a delivery failed unexpectedly; it ends as failed');
    try {
      if (!active.ending) {
        const reply = active.stanza.isReply
          ? undefined
          : errorReply(active.stanza, new GatewayError('internal').toStanzaError());
        await this.#finish(active, { status: 'failed', outcome: 'interrupted', reply });
      }
    } catch (again) {
      this.deps.log.error(
        { err: again, delivery: record.id },
        'a delivery that failed unexpectedly could not be ended cleanly',
      );
    } finally {
      // Whatever #finish got through: the slot is free and the backlog may fill it.
      this.#release(record.id);
      this.#backlog.finished(record.id);
    }
  }

  /** The one final outcome: the reply (if any) to the sender, then the log and the event. */
  async #finish(active: Active, final: Final, attempt?: AttemptRecord): Promise<void> {
    if (!active.ending) this.#ending += 1;
    active.ending = true;
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
    this.#release(record.id);
    this.#recorder.finished(record, final.status, final.outcome, replyXml, attempt);
    this.#backlog.finished(record.id);
  }

  get #held(): number {
    return this.#active.size - this.#ending;
  }

  #release(id: string): void {
    const active = this.#active.get(id);
    if (!active) return;
    if (active.ending) this.#ending -= 1;
    this.#active.delete(id);
  }
}
