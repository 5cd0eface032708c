import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookSettings } from '../config.ts';
import type { BodyFormat } from '../formats/index.ts';
import type { AttemptRecord, DeliveryRecord } from '../db/records.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { attemptRecord } from './attempt-record.ts';
import type { CallbackClient, CallbackExchange } from './callback-client.ts';
import { type CallbackBody, callbackBody, callbackRequest } from './callback-request.ts';
import type { CallbackUrl } from './callback-url.ts';
import type { ConcurrencyLimit } from './concurrency-limit.ts';
import { applyReplyRules, type ReplyRules, type Verdict } from './reply-rules.ts';
import { nextRetryDelay } from './retry-schedule.ts';

/**
 * The attempts of one delivery: POST, judge the answer, wait and try again while the schedule
 * allows (messages and presences only), until a final verdict — or until the gateway stops,
 * which leaves the delivery pending for the next start. Stopping has two steps: `closing`
 * starts no new attempt and ends retry waits at once; `abort` cuts the attempts in flight
 * (when the shutdown grace period is over), which are logged `aborted` and made again later.
 *
 * An iq's one attempt has a deadline counted from its arrival, WEBHOOK_TIMEOUT_MS later: the
 * wait for its row and for a request slot come out of it, since its sender is waiting.
 */
export interface AttemptContext {
  replyRules: ReplyRules;
  settings: WebhookSettings;
  /** The callback body format in force (WEBHOOK_FORMAT, or what the probe at start chose). */
  format: BodyFormat;
  url: CallbackUrl;
  maxReplyBytes: number;
  client: CallbackClient;
  limit: ConcurrencyLimit;
  closing: AbortSignal;
  abort: AbortSignal;
  /** False while this gateway may not act for the domain (a leader past its lease, HA_ELECTION). */
  mayAct(): boolean;
  /** A non-final attempt: the delivery stays pending (retried later, or after a restart). */
  onAttempt(attempt: AttemptRecord): void;
  onRetryWait(waiting: boolean): void;
}

export type AttemptsResult = { verdict: Verdict; attempt: AttemptRecord } | 'stopped';

export async function runAttempts(
  record: DeliveryRecord,
  stanza: Stanza,
  ctx: AttemptContext,
): Promise<AttemptsResult> {
  const due = (record.nextAttemptAt?.getTime() ?? 0) - Date.now();
  if (due > 0 && !(await waitForRetry(due, ctx))) return 'stopped';
  // The body is the same at every attempt (only the signature's timestamp changes).
  const body = callbackBody(stanza, ctx.format, ctx.url);
  for (;;) {
    const startedAt = new Date();
    const exchange = await oneExchange(record, body, startedAt, ctx);
    if (exchange === undefined) return 'stopped';
    record.attemptCount += 1;
    if (exchange.kind === 'aborted') {
      ctx.onAttempt(attemptRecord(record.id, record.attemptCount, startedAt, exchange, undefined));
      return 'stopped';
    }
    const verdict = applyReplyRules(stanza, exchange, ctx.replyRules, ctx.maxReplyBytes);
    const attempt = attemptRecord(record.id, record.attemptCount, startedAt, exchange, verdict);
    const delay = verdict.retryable && record.kind !== 'iq' ? retryDelay(record, verdict, ctx.settings) : undefined;
    if (delay === undefined) return { verdict, attempt };
    record.nextAttemptAt = new Date(Date.now() + delay);
    ctx.onAttempt(attempt);
    if (!(await waitForRetry(delay, ctx))) return 'stopped';
  }
}

/**
 * One POST once a request slot is free; undefined when the gateway started stopping meanwhile
 * (no new attempt then). `startedAt` is moved to when the POST really starts.
 */
async function oneExchange(
  record: DeliveryRecord,
  body: CallbackBody,
  startedAt: Date,
  ctx: AttemptContext,
): Promise<CallbackExchange | undefined> {
  const deadline = record.kind === 'iq' ? record.createdAt.getTime() + ctx.settings.timeoutMs : undefined;
  const request = (timeoutMs: number) =>
    callbackRequest(record, body, {
      secrets: ctx.settings.secrets ?? [],
      timeoutMs,
      signal: ctx.abort,
      maxReplyBytes: ctx.maxReplyBytes,
      excerptBytes: ctx.settings.responseExcerptBytes,
    });
  const post = (): Promise<CallbackExchange | undefined> => {
    // Not acting any more: stopped as by `closing`; the delivery stays pending for the next leader.
    if (ctx.closing.aborted || !ctx.mayAct()) return Promise.resolve(undefined);
    startedAt.setTime(Date.now());
    const timeoutMs = deadline === undefined ? ctx.settings.timeoutMs : Math.max(1, deadline - Date.now());
    return ctx.client.post(request(timeoutMs));
  };
  if (deadline === undefined) return ctx.limit.run(post);
  // Past its deadline an iq is answered as a timeout without being POSTed.
  const expired = (): CallbackExchange => ({
    kind: 'timeout',
    text:
      `no request slot free within ${ctx.settings.timeoutMs} ms of the iq's arrival ` +
      '(WEBHOOK_CONCURRENCY requests in flight)',
    durationMs: Math.max(0, Date.now() - startedAt.getTime()),
  });
  return ctx.limit.run(post, { deadline, expired });
}

function retryDelay(record: DeliveryRecord, verdict: Verdict, settings: WebhookSettings): number | undefined {
  const elapsed = Date.now() - record.createdAt.getTime();
  return nextRetryDelay(record.attemptCount, elapsed, verdict.retryAfterMs, settings.retry);
}

/** Sleeps until a retry is due; false when the gateway starts stopping meanwhile. */
async function waitForRetry(ms: number, ctx: AttemptContext): Promise<boolean> {
  if (ctx.closing.aborted) return false;
  ctx.onRetryWait(true);
  try {
    await sleep(ms, undefined, { signal: ctx.closing });
    return true;
  } catch {
    return false;
  } finally {
    ctx.onRetryWait(false);
  }
}
