import type { DeliveryRecord } from '../db/records.ts';
import { type BodyFormat, bodyFormats, encodeStanzas, mediaTypes } from '../formats/index.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import type { CallbackRequest } from './callback-client.ts';
import type { CallbackUrl } from './callback-url.ts';
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

/** A delivery's body in the callback format, and where it goes: built once, POSTed at each attempt. */
export interface CallbackBody {
  body: string;
  contentType: string;
  /** The path and query, when CALLBACK_URL has placeholders. */
  path: string | undefined;
}

/** mod_rest announces every format it reads back. */
export const CALLBACK_ACCEPT = [...bodyFormats.map((format) => mediaTypes[format]), mediaTypes.text].join(', ');

export function callbackBody(stanza: Stanza, format: BodyFormat, url: CallbackUrl): CallbackBody {
  return {
    body: encodeStanzas(format, [stanza]),
    contentType: mediaTypes[format],
    path: url.templated
      ? url.renderPath({ kind: stanza.kind, type: stanza.type, to: stanza.to.toString(), from: stanza.from.toString() })
      : undefined,
  };
}

/** The POST of one attempt (docs/webhooks.md "The POST"). */
export function callbackRequest(
  record: DeliveryRecord,
  body: CallbackBody,
  settings: RequestSettings,
): CallbackRequest {
  const headers: Record<string, string> = {
    'Content-Type': body.contentType,
    Accept: CALLBACK_ACCEPT,
    'User-Agent': 'stanza-gateway',
    ...signatureHeaders(settings.secrets, record.id, body.body),
  };
  const language = contentLanguage(record.lang);
  if (language) headers['Content-Language'] = language;
  return {
    body: body.body,
    headers,
    path: body.path,
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
