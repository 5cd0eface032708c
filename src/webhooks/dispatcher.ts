import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookSettings } from '../config.ts';
import { newDeliveryId } from '../db/delivery-id.ts';
import type { LogWriter } from '../db/log-writer.ts';
import type { AttemptRecord, DeliveryOutcome, DeliveryRecord } from '../db/records.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../log.ts';
import { errorReply, type Stanza } from '../xmpp/codec/index.ts';
import { attemptRecord } from './attempt-record.ts';
import { postToCallback } from './callback-client.ts';
import { ConcurrencyLimit } from './concurrency-limit.ts';
import type { DeliveryEvents } from './delivery-events.ts';
import { applyReplyRules, type Verdict } from './reply-rules.ts';
import { nextRetryDelay } from './retry-schedule.ts';
import { SenderLanes } from './sender-lanes.ts';
import { signatureHeaders } from './signer.ts';

/**
 * Turns accepted stanzas into callback attempts: a log row before the first attempt, per-sender
 * order for messages and presences, retries on the schedule, and the one final outcome sent to
 * the sender. Everything lives in memory while it runs; the log is written behind it.
 */
export interface DispatcherDeps {
  send: (stanza: Stanza) => Promise<void>;
  domain: string;
  callbackUrl: string;
  settings: WebhookSettings;
  /** The largest callback reply that is parsed (the /rest body limit). */
  maxReplyBytes: number;
  writer: LogWriter;
  events: DeliveryEvents;
  log: Logger;
}

interface Active {
  record: DeliveryRecord;
  stanza: Stanza;
  /** Whether the sender gets the outcome: not for a redelivered iq (nobody waits any more). */
  answers: boolean;
  stored: Promise<unknown>;
}

type Final = Pick<Verdict, 'status' | 'outcome' | 'reply'>;

export class Dispatcher {
  readonly counters = { accepted: 0, delivered: 0, failed: 0, retries: 0 };
  readonly #active = new Map<string, Active>();
  readonly #lanes = new SenderLanes<Active>((active) => this.#deliver(active));
  readonly #running = new Set<Promise<void>>();
  readonly #limit: ConcurrencyLimit;
  readonly #stop = new AbortController();

  constructor(private readonly deps: DispatcherDeps) {
    this.#limit = new ConcurrencyLimit(deps.settings.concurrency);
    // Every request and retry wait listens on this signal: one per delivery in progress.
    setMaxListeners(0, this.#stop.signal);
  }

  status() {
    return { active: this.#active.size, inFlight: this.#limit.running, queued: this.#lanes.queued, ...this.counters };
  }

  isActive(id: string): boolean {
    return this.#active.has(id);
  }

  /** Takes an inbound stanza (synchronously: called on the link's read path). */
  accept(stanza: Stanza, redeliveryOf: string | null = null): DeliveryRecord {
    const now = new Date();
    const record: DeliveryRecord = {
      id: newDeliveryId(now.getTime()),
      createdAt: now,
      updatedAt: now,
      kind: stanza.kind,
      stanzaType: stanza.type ?? null,
      stanzaId: stanza.id,
      fromJid: stanza.from.toString(),
      senderBare: stanza.from.bare().toString(),
      toJid: stanza.to.toString(),
      lang: stanza.lang ?? null,
      xml: stanza.toXml(),
      status: 'pending',
      attemptCount: 0,
      nextAttemptAt: now,
      finishedAt: null,
      outcome: null,
      replyXml: null,
      redeliveryOf,
    };
    this.counters.accepted += 1;
    const active = this.#track(record, stanza, this.deps.writer.insert({ ...record }));
    this.deps.events.publish({ delivery: { ...record } });
    if (!this.#stop.signal.aborted) this.#schedule(active);
    // Stopping: a message stays pending for the next start; an iq's sender is told now.
    else if (stanza.isIqRequest) void this.#finish(active, this.#interrupted(active, 'shutting-down'));
    return { ...record };
  }

  /** A delivery an earlier run left pending (called oldest first, so lanes keep their order). */
  resume(record: DeliveryRecord, stanza: Stanza): void {
    if (this.#active.has(record.id)) return;
    const active = this.#track({ ...record }, stanza, Promise.resolve());
    // An iq's sender gave up waiting long ago, or is about to: tell it now, do not POST.
    if (record.kind === 'iq') void this.#finish(active, this.#interrupted(active, 'delivery-interrupted'));
    else this.#schedule(active);
  }

  /** Starts no more attempts and aborts the ones in flight; their deliveries stay pending. */
  async pause(): Promise<void> {
    this.#stop.abort();
    this.#lanes.close();
    await Promise.allSettled([...this.#running]);
  }

  #track(record: DeliveryRecord, stanza: Stanza, stored: Promise<unknown>): Active {
    const active = { record, stanza, stored, answers: !(record.redeliveryOf !== null && record.kind === 'iq') };
    this.#active.set(record.id, active);
    return active;
  }

  #schedule(active: Active): void {
    if (active.record.kind === 'iq') void this.#deliver(active);
    else this.#lanes.push(active.record.senderBare, active);
  }

  #interrupted(active: Active, kind: 'shutting-down' | 'delivery-interrupted'): Final {
    const reply = active.stanza.isIqRequest ? errorReply(active.stanza, new GatewayError(kind).toStanzaError()) : undefined;
    return { status: 'failed', outcome: 'interrupted', reply };
  }

  #deliver(active: Active): Promise<void> {
    const run = this.#attempts(active).catch((error: unknown) =>
      this.deps.log.error({ err: error, delivery: active.record.id }, 'a delivery failed unexpectedly; it stays pending'),
    );
    this.#running.add(run);
    return run.finally(() => this.#running.delete(run));
  }

  async #attempts(active: Active): Promise<void> {
    const { record } = active;
    // The row is written (or the database is down) before the first attempt.
    await active.stored;
    const due = (record.nextAttemptAt?.getTime() ?? 0) - Date.now();
    if (due > 0 && !(await this.#wait(due))) return;
    for (;;) {
      if (this.#stop.signal.aborted) return;
      const startedAt = new Date();
      const exchange = await this.#limit.run(() => {
        startedAt.setTime(Date.now());
        return postToCallback(this.#request(record));
      });
      record.attemptCount += 1;
      if (exchange.kind === 'aborted') {
        this.#recordAttempt(active, attemptRecord(record.id, record.attemptCount, startedAt, exchange, undefined));
        return;
      }
      const verdict = applyReplyRules(active.stanza, exchange, this.deps.domain, this.deps.maxReplyBytes);
      const attempt = attemptRecord(record.id, record.attemptCount, startedAt, exchange, verdict);
      const delay = verdict.retryable && record.kind !== 'iq' ? this.#retryDelay(record, verdict) : undefined;
      if (delay === undefined) return this.#finish(active, verdict, attempt);
      record.nextAttemptAt = new Date(Date.now() + delay);
      this.counters.retries += 1;
      this.#recordAttempt(active, attempt);
      if (!(await this.#wait(delay))) return;
    }
  }

  #retryDelay(record: DeliveryRecord, verdict: Verdict): number | undefined {
    const elapsed = Date.now() - record.createdAt.getTime();
    return nextRetryDelay(record.attemptCount, elapsed, verdict.retryAfterMs, this.deps.settings.retry);
  }

  #request(record: DeliveryRecord) {
    const headers: Record<string, string> = {
      'Content-Type': 'application/xmpp+xml',
      // mod_rest announces what it accepts back; for us that is the stanza format.
      Accept: 'application/xmpp+xml',
      'User-Agent': 'stanza-gateway',
      ...signatureHeaders(this.deps.settings.secrets, record.id, record.xml),
    };
    if (record.lang) headers['Content-Language'] = record.lang;
    const { timeoutMs, responseExcerptBytes } = this.deps.settings;
    return {
      url: this.deps.callbackUrl,
      body: record.xml,
      headers,
      timeoutMs,
      signal: this.#stop.signal,
      maxBodyBytes: this.deps.maxReplyBytes,
      excerptBytes: responseExcerptBytes,
    };
  }

  /** Logs a non-final attempt; the delivery stays pending. */
  #recordAttempt(active: Active, attempt: AttemptRecord): void {
    const { record } = active;
    record.updatedAt = new Date();
    this.deps.writer.attempt(attempt);
    this.deps.writer.update(record.id, {
      attemptCount: record.attemptCount,
      nextAttemptAt: record.nextAttemptAt,
      updatedAt: record.updatedAt,
    });
    this.deps.events.publish({ delivery: { ...record }, attempt });
  }

  /** The one final outcome: the reply (if any) to the sender, then the log and the event. */
  async #finish(active: Active, final: Final, attempt?: AttemptRecord): Promise<void> {
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
    const now = new Date();
    Object.assign(record, {
      status: final.status,
      outcome: final.outcome satisfies DeliveryOutcome,
      replyXml,
      finishedAt: now,
      nextAttemptAt: null,
      updatedAt: now,
    });
    if (attempt) this.deps.writer.attempt(attempt);
    const { status, outcome, finishedAt, nextAttemptAt, updatedAt, attemptCount } = record;
    this.deps.writer.update(record.id, { status, outcome, replyXml, finishedAt, nextAttemptAt, updatedAt, attemptCount });
    this.counters[final.status] += 1;
    this.#active.delete(record.id);
    this.deps.events.publish({ delivery: { ...record }, ...(attempt ? { attempt } : {}) });
  }

  /** Sleeps; false when the gateway stops meanwhile. */
  async #wait(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#stop.signal });
      return true;
    } catch {
      return false;
    }
  }
}
