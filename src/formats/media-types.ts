import { parseMediaType } from '../http/media-type.ts';

/**
 * The body formats of mod_rest's contract, for /rest and for webhook callbacks alike. Stanzas
 * can be written in the first three; `text` is read only (a chat message's body).
 */
export type BodyFormat = 'xml' | 'json' | 'form';
export type RequestFormat = BodyFormat | 'text';

export const mediaTypes = {
  xml: 'application/xmpp+xml',
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain',
} as const satisfies Record<RequestFormat, string>;

/** In mod_rest's order of preference: the first is the default. */
export const bodyFormats: readonly BodyFormat[] = ['xml', 'json', 'form'];

/**
 * The format of a Content-Type header, if it is one of ours. Parameters are fine, but a charset
 * other than UTF-8 is not: every format here is read as UTF-8.
 */
export function formatOfContentType(header: string | undefined): RequestFormat | undefined {
  const mediaType = parseMediaType(header);
  if (!mediaType) return undefined;
  const charset = mediaType.params.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  return (Object.keys(mediaTypes) as RequestFormat[]).find((format) => mediaTypes[format] === mediaType.essence);
}
