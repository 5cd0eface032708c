import { setTimeout as sleep } from 'node:timers/promises';
import type { WebhookSettings } from '../config.ts';
import type { AttemptRecord, DeliveryRecord } from '../db/records.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { attemptRecord } from './attempt-record.ts';
import type { CallbackClient, CallbackRequest } from './callback-client.ts';
import type { ConcurrencyLimit } from './concurrency-limit.ts';
import { applyReplyRules, type Verdict } from './reply-rules.ts';
import { nextRetryDelay } from './retry-schedule.ts';
import { signatureHeaders } from './signer.ts';

/**
 * The attempts of one delivery: POST, judge the answer, wait and try again while the schedule
 * allows (messages and presences only), until a final verdict — or until the gateway stops,
 * which leaves the delivery pending for the next start. Stopping has two steps: `closing`
 * starts no new attempt and ends retry waits at once; `abort` cuts the attempts in flight
 * (when the shutdown grace period is over), which are logged `aborted` and made again later.
 */
export interface AttemptContext {
  domain: string;
  settings: WebhookSettings;
  maxReplyBytes: number;
  client: CallbackClient;
  limit: ConcurrencyLimit;
  closing: AbortSignal;
  abort: AbortSignal;
  /** A non-final attempt (the delivery stays pending); `retryInMs` when another follows. */
  onAttempt(attempt: AttemptRecord, retryInMs: number | undefined): void;
  onRetryWait(waiting: boolean): void;
}

export type AttemptsResult = { verdict: Verdict; attempt: AttemptRecord } | 'stopped';

export async function runAttempts(record: DeliveryRecord, stanza: Stanza, ctx: AttemptContext): Promise<AttemptsResult> {
  const due = (record.nextAttemptAt?.getTime() ?? 0) - Date.now();
  if (due > 0 && !(await waitForRetry(due, ctx))) return 'stopped';
  for (;;) {
    const startedAt = new Date();
    // Waiting for a slot can outlast the start of a shutdown: no new attempt then.
    const exchange = await ctx.limit.run(() => {
      if (ctx.closing.aborted) return Promise.resolve(undefined);
      startedAt.setTime(Date.now());
      return ctx.client.post(callbackRequest(record, ctx));
    });
    if (exchange === undefined) return 'stopped';
    record.attemptCount += 1;
    if (exchange.kind === 'aborted') {
      ctx.onAttempt(attemptRecord(record.id, record.attemptCount, startedAt, exchange, undefined), undefined);
      return 'stopped';
    }
    const verdict = applyReplyRules(stanza, exchange, ctx.domain, ctx.maxReplyBytes);
    const attempt = attemptRecord(record.id, record.attemptCount, startedAt, exchange, verdict);
    const delay = verdict.retryable && record.kind !== 'iq' ? retryDelay(record, verdict, ctx.settings) : undefined;
    if (delay === undefined) return { verdict, attempt };
    record.nextAttemptAt = new Date(Date.now() + delay);
    ctx.onAttempt(attempt, delay);
    if (!(await waitForRetry(delay, ctx))) return 'stopped';
  }
}

function retryDelay(record: DeliveryRecord, verdict: Verdict, settings: WebhookSettings): number | undefined {
  const elapsed = Date.now() - record.createdAt.getTime();
  return nextRetryDelay(record.attemptCount, elapsed, verdict.retryAfterMs, settings.retry);
}

function callbackRequest(record: DeliveryRecord, ctx: AttemptContext): CallbackRequest {
  const headers: Record<string, string> = {
    'Content-Type': 'application/xmpp+xml',
    // mod_rest announces what it accepts back; for us that is the stanza format.
    Accept: 'application/xmpp+xml',
    'User-Agent': 'stanza-gateway',
    ...signatureHeaders(ctx.settings.secrets, record.id, record.xml),
  };
  if (record.lang) headers['Content-Language'] = record.lang;
  return {
    body: record.xml,
    headers,
    timeoutMs: ctx.settings.timeoutMs,
    signal: ctx.abort,
    maxBodyBytes: ctx.maxReplyBytes,
    excerptBytes: ctx.settings.responseExcerptBytes,
  };
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
