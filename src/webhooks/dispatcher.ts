import { type EventEmitter, setMaxListeners } from 'node:events';
import type { WebhookSettings } from '../config.ts';
import type { LogWriter } from '../db/log-writer.ts';
import type { DeliveryRecord } from '../db/records.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../log.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { type Active, ActiveDeliveries } from './active-deliveries.ts';
import { admit } from './admission.ts';
import { type AttemptContext, runAttempts } from './attempt-loop.ts';
import { Backlog, type BacklogStore, type BacklogWriter } from './backlog.ts';
import type { CallbackClient } from './callback-client.ts';
import { ConcurrencyLimit } from './concurrency-limit.ts';
import { DeliveryFinish, refusal } from './delivery-finish.ts';
import { newDeliveryRecord } from './delivery-record.ts';
import type { DeliveryEvents } from './delivery-events.ts';
import { type DeliveryMetricEvents, DeliveryRecorder, type RecorderWriter } from './delivery-recorder.ts';
import { SenderLanes } from './sender-lanes.ts';
import { stanzaFromLog } from './stored-stanza.ts';

/**
 * Turns accepted stanzas into callback attempts: a log row before the first attempt, per-sender
 * order for messages and presences, retries on the schedule, and the one final outcome sent to
 * the sender. At most WEBHOOK_QUEUE_MAX deliveries live in memory; past that, messages and
 * presences wait as rows in the log (Backlog) and iqs are refused at once (the decision:
 * admission.ts). The log is written behind all of it; how a delivery ends: delivery-finish.ts.
 */
export interface DispatcherDeps {
  send: (stanza: Stanza) => Promise<void>;
  domain: string;
  settings: WebhookSettings;
  /** The callback body format in force, and CALLBACK_URL (attempt-loop.ts). */
  callback: Pick<AttemptContext, 'format' | 'url'>;
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
  /** False while this gateway may not act for the domain (XmppCore.mayAct); default always true. */
  mayAct?: () => boolean;
}

/** What the dispatcher needs of the LogWriter (narrow, so that tests can stand in for it). */
export type DispatcherWriter = Pick<LogWriter, 'insert' | 'up'> & BacklogWriter & RecorderWriter;

export class Dispatcher {
  readonly #active = new ActiveDeliveries();
  readonly #lanes = new SenderLanes<Active>((active) => this.#deliver(active));
  readonly #running = new Set<Promise<void>>();
  readonly #limit: ConcurrencyLimit;
  readonly #closing = new AbortController();
  readonly #abort = new AbortController();
  readonly #attempts: AttemptContext;
  readonly #backlog: Backlog;
  readonly #recorder: DeliveryRecorder;
  readonly #finish: DeliveryFinish;
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
      ...deps.callback,
      maxReplyBytes: deps.maxReplyBytes,
      client: deps.client,
      limit: this.#limit,
      closing: this.#closing.signal,
      abort: this.#abort.signal,
      mayAct: deps.mayAct ?? (() => true),
      onAttempt: (attempt) => {
        const active = this.#active.get(attempt.deliveryId);
        if (active) this.#recorder.attempt(active.record, attempt);
      },
      onRetryWait: (waiting) => (this.#retryWaits += waiting ? 1 : -1),
    };
    this.#backlog = new Backlog({
      store: deps.store,
      writer: deps.writer,
      room: () => deps.settings.queueMax - this.#active.held,
      isActive: (id) => this.#active.has(id),
      take: (row) => this.#takeUp(row),
      log: deps.log,
    });
    this.#finish = new DeliveryFinish({
      send: deps.send,
      active: this.#active,
      recorder: this.#recorder,
      backlog: this.#backlog,
      log: deps.log,
    });
  }

  status() {
    return {
      active: this.#active.held,
      inFlight: this.#limit.running,
      queued: this.#lanes.queued,
      retryWaiting: this.#retryWaits,
      spilled: this.#backlog.spilled,
      ...this.#recorder.counters,
    };
  }

  /** When the oldest delivery in memory arrived (undefined when there is none). */
  oldestPending(): Date | undefined {
    return this.#active.oldestCreatedAt();
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
    const admission = admit({
      kind: stanza.kind,
      redelivery: redeliveryOf !== null,
      stopping: this.#closing.signal.aborted,
      held: this.#active.held,
      queueMax: this.deps.settings.queueMax,
      backlogWaiting: this.#backlog.waiting,
      databaseUp: this.deps.writer.up,
    });
    if (admission === 'reject-redelivery') throw new GatewayError('webhook-queue-full');
    if (admission === 'spill') {
      // Kept as a row only: the next start (stopping), or the backlog as room frees up.
      this.#spill(record, stanza);
    } else {
      const active = this.#active.track(record, stanza, this.deps.writer.insert({ ...record }));
      if (admission === 'schedule') this.#schedule(active);
      else if (admission === 'refuse-stopping')
        this.#finish.end(active, refusal(active, 'shutting-down', 'interrupted'));
      else this.#finish.end(active, refusal(active, 'webhook-queue-full', 'rejected'));
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
      if (ack === 'dropped') this.#finish.lost(record, stanza);
    });
  }

  /** A row read back from the log: an earlier run's, or one kept only as a row. */
  #takeUp(row: DeliveryRecord): void {
    const stanza = stanzaFromLog(row.xml, this.deps.domain);
    if (!stanza) {
      this.deps.log.error({ delivery: row.id }, 'a pending delivery cannot be read back; left as it is');
      return;
    }
    const active = this.#active.track({ ...row }, stanza, Promise.resolve());
    // An iq's sender gave up waiting long ago, or is about to: tell it now, do not POST.
    if (row.kind === 'iq') this.#finish.end(active, refusal(active, 'delivery-interrupted', 'interrupted'));
    else this.#schedule(active);
  }

  #schedule(active: Active): void {
    if (active.record.kind === 'iq') void this.#deliver(active);
    else this.#lanes.push(active.record.senderBare, active);
  }

  #deliver(active: Active): Promise<void> {
    const run = this.#run(active).catch((error: unknown) => this.#finish.crashed(active, error));
    this.#running.add(run);
    return run.finally(() => this.#running.delete(run));
  }

  async #run(active: Active): Promise<void> {
    // The row is written (or the database is down) before the first attempt.
    await active.stored;
    const result = this.#closing.signal.aborted
      ? 'stopped'
      : await runAttempts(active.record, active.stanza, this.#attempts);
    if (result !== 'stopped') await this.#finish.finish(active, result.verdict, result.attempt);
    // A stopped iq is not made again after a restart (its sender would only be told then that
    // it was interrupted): tell the sender now, while the link is still up.
    else if (active.record.kind === 'iq')
      await this.#finish.finish(active, refusal(active, 'shutting-down', 'interrupted'));
  }
}
