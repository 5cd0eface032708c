import { backoffDelay } from '../flow/backoff.ts';

/**
 * When a message or presence is tried again (docs/webhooks.md, "Retries and ordering"):
 * exponential delays with equal jitter (the same curve as the XMPP reconnect), at most `maxAttempts` attempts, and
 * never past `windowMs` after the stanza arrived. A receiver's Retry-After is honoured: the
 * wait is at least that long, and when that is past the window the delivery ends now instead.
 */
export interface RetryPolicy {
  maxAttempts: number;
  windowMs: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/** The wait before the next attempt, or undefined when the last one was final. */
export function nextRetryDelay(
  attemptsMade: number,
  elapsedMs: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attemptsMade >= policy.maxAttempts) return undefined;
  const backoff = backoffDelay(attemptsMade, { minMs: policy.minDelayMs, maxMs: policy.maxDelayMs }, random);
  const delay = Math.max(backoff, retryAfterMs ?? 0);
  return elapsedMs + delay > policy.windowMs ? undefined : delay;
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; undefined when absent or unusable. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
