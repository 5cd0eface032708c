import { z } from 'zod';
import { parseJid } from './xmpp/jid.ts';

/**
 * The parsers of setting values, as zod schemas whose every failure reads as a sentence about
 * the setting ("must be a whole number from 1 to 600000"), never as zod's own text ("expected
 * number, received NaN"): the message follows the setting's name in the error a user sees.
 */

/** A whole number in [min, max]; one message for every way it can be wrong. */
export function wholeNumber(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function nonEmpty() {
  return z.string().min(1, { error: 'must not be empty' });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

/** A comma-separated list, blanks and empty items dropped. */
function commaList() {
  return z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );
}

export const xmppService = z
  .string()
  .regex(/^xmpp:\/\/[^/:]+(:\d{1,5})?\/?$/, { error: 'must look like xmpp://host:port' });

/** A bare domain, normalised as JIDs are (`Rest.Example.NET` → `rest.example.net`). */
export const componentDomain = z.string().transform((value, ctx) => {
  const jid = parseJid(value);
  if (jid === undefined || jid.local !== undefined || jid.resource !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a bare domain such as rest.example.net' });
    return z.NEVER;
  }
  return jid.toString();
});

export const bearerTokens = commaList()
  .refine((list) => list.length > 0, { error: 'needs at least one token' })
  .refine((list) => list.every((token) => token.length >= 16), {
    error: 'every token must be at least 16 characters',
  });

export const httpUrl = z.string().refine(
  (value) => {
    try {
      const parsed = new URL(value);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'must be an http:// or https:// URL' },
);

// mod_rest's {kind}, {type}, {to} and {from}, filled per stanza; never in the scheme or the host,
// or a stanza's sender could choose where the gateway sends requests.
export const callbackUrl = httpUrl.refine(
  (value) => !/\{(kind|type|to|from)\}/.test(/^[a-z]+:\/\/[^/?#]*/i.exec(value)?.[0] ?? ''),
  { error: 'may hold {kind}, {type}, {to} and {from} only in its path and query' },
);

/** xml, json or form; the media types themselves are accepted too. */
export const callbackBodyFormat = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .transform(
    (value) =>
      ({ 'application/xmpp+xml': 'xml', 'application/json': 'json', 'application/x-www-form-urlencoded': 'form' })[
        value
      ] ?? value,
  )
  .pipe(z.enum(['xml', 'json', 'form'], { error: 'must be xml, json or form (or their media types)' }));

/** message, presence and/or iq, comma-separated; duplicates dropped. */
export const stanzaKindList = commaList()
  .transform((list) => [...new Set(list.map((kind) => kind.toLowerCase()))])
  .pipe(
    z
      .array(z.enum(['message', 'presence', 'iq'], { error: 'must list only message, presence or iq' }))
      .min(1, { error: 'needs at least one kind' }),
  );

export const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), { error: 'must be a postgres:// URL' });

// Standard Webhooks secrets: `whsec_` + base64 key; space- or comma-separated, at most two.
export const webhookSecrets = z
  .string()
  .transform((value) => value.split(/[\s,]+/).filter((secret) => secret !== ''))
  .refine((list) => list.length >= 1 && list.length <= 2, { error: 'takes one secret, or two while rotating' })
  .refine((list) => list.every((secret) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)), {
    error: 'each secret must be whsec_ followed by base64',
  })
  .transform((list) => list.map((secret) => Buffer.from(secret.slice('whsec_'.length), 'base64')))
  .refine((keys) => keys.every((key) => key.length >= 16), { error: 'each key must decode to at least 16 bytes' });

export const origins = commaList();
