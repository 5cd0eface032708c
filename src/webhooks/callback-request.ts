import type { DeliveryRecord } from '../db/records.ts';
import type { CallbackRequest } from './callback-client.ts';
import { signatureHeaders } from './signer.ts';

/** What the POST of one attempt needs beyond the delivery itself. */
export interface RequestSettings {
  secrets: Buffer[];
  /** This attempt's limit (an iq gets what is left of its deadline). */
  timeoutMs: number;
  signal: AbortSignal;
  maxReplyBytes: number;
  excerptBytes: number;
}

/** The POST of one attempt (docs/webhooks.md "The POST"). */
export function callbackRequest(record: DeliveryRecord, settings: RequestSettings): CallbackRequest {
  const headers: Record<string, string> = {
    'Content-Type': 'application/xmpp+xml',
    // mod_rest announces what it accepts back; for us that is the stanza format.
    Accept: 'application/xmpp+xml',
    'User-Agent': 'stanza-gateway',
    ...signatureHeaders(settings.secrets, record.id, record.xml),
  };
  const language = contentLanguage(record.lang);
  if (language) headers['Content-Language'] = language;
  return {
    body: record.xml,
    headers,
    timeoutMs: settings.timeoutMs,
    signal: settings.signal,
    maxBodyBytes: settings.maxReplyBytes,
    excerptBytes: settings.excerptBytes,
  };
}

/**
 * The stanza's xml:lang as a Content-Language value, only when it is a language tag (RFC 5646
 * syntax, loosely). xml:lang is whatever the sender wrote: non-ASCII or control characters in a
 * header make node refuse the whole request (ERR_INVALID_CHAR), and the body carries xml:lang anyway.
 */
const LANGUAGE_TAG = /^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*$/;

export function contentLanguage(lang: string | null): string | undefined {
  return lang !== null && LANGUAGE_TAG.test(lang) ? lang : undefined;
}
