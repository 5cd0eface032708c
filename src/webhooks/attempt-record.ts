import type { AttemptRecord } from '../db/records.ts';
import type { CallbackExchange } from './callback-client.ts';
import type { Verdict } from './reply-rules.ts';

/** The log row of one attempt: when, how long, what came back, what went wrong. */
export function attemptRecord(
  deliveryId: string,
  number: number,
  startedAt: Date,
  exchange: CallbackExchange,
  verdict: Verdict | undefined,
): AttemptRecord {
  const base = { deliveryId, number, startedAt, durationMs: exchange.durationMs };
  if (exchange.kind !== 'response') {
    return {
      ...base,
      httpStatus: null,
      responseHeaders: null,
      responseExcerpt: null,
      responseTruncated: false,
      errorKind: exchange.kind,
      errorText: exchange.text,
    };
  }
  return {
    ...base,
    httpStatus: exchange.status,
    responseHeaders: exchange.headers,
    responseExcerpt: storable(exchange.excerpt),
    responseTruncated: exchange.truncated,
    errorKind: verdict?.attemptError?.kind ?? null,
    errorText: verdict?.attemptError ? storable(verdict.attemptError.text) : null,
  };
}

/**
 * Postgres text cannot hold U+0000 (a receiver may well answer with one): the whole batch of
 * log writes would be refused, and this attempt's row dropped. Shown as U+FFFD instead.
 */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
}
