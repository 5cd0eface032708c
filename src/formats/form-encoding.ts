import { isJsonObject, type JsonObject } from '../xmpp/codec/json-mapping/index.ts';

/**
 * application/x-www-form-urlencoded as mod_rest reads and writes it (Prosody's util.http): a
 * body without any `=` is not a form but text; values are strings; only flat string fields can
 * be written.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Percent-escapes become bytes, read as UTF-8 (a `%` not followed by two hex digits stays as it
 * is). Throws on invalid UTF-8: the caller answers "Failed to parse payload".
 */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
    utf8.decode(Uint8Array.from(run.slice(1).split('%'), (hex) => parseInt(hex, 16))),
  );
}

export type DecodedForm = { fields: Record<string, string> } | { text: string };

export function decodeForm(body: string): DecodedForm {
  if (!body.includes('=')) return { text: percentDecode(body) };
  // No prototype: a key such as __proto__ is a field like any other.
  const fields = Object.create(null) as Record<string, string>;
  for (const pair of body.split('&')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    const key = percentDecode(pair.slice(0, eq).replace(/\+/g, ' '));
    fields[key] = percentDecode(pair.slice(eq + 1).replace(/\+/g, ' '));
  }
  return { fields };
}

/**
 * The flat fields of a mapped stanza: strings, numbers, and `true` as an empty value (as
 * mod_rest writes them). Nested values are left out, except a stanza error: its parts become
 * `error_type`, `error_condition`, `error_text` and `error_by`, so that a form client learns
 * what went wrong (mod_rest leaves the error out).
 */
export function flatFields(json: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number') out[key] = String(value);
    else if (value === true) out[key] = '';
    else if (key === 'error' && isJsonObject(value))
      for (const [part, text] of Object.entries(value))
        if (typeof text === 'string' || typeof text === 'number') out[`error_${part}`] = String(text);
  }
  return out;
}

export function encodeForm(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}
