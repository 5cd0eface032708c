import { parseAccept, parseMediaType } from '../http/media-type.ts';
import { type BodyFormat, bodyFormats, mediaTypes } from './media-types.ts';

/**
 * The body format an Accept header names, if any: the highest q wins, ties go to the one named
 * first (mod_rest takes whichever of its formats appears first). Wildcards (`*\/*`, as curl
 * sends) name none. Also the formats refused with q=0.
 */
export function namedFormat(accept: string | undefined): { format: BodyFormat | undefined; refused: Set<BodyFormat> } {
  const refused = new Set<BodyFormat>();
  let best: { format: BodyFormat; q: number } | undefined;
  for (const range of accept ? parseAccept(accept) : []) {
    const format = bodyFormats.find((candidate) => mediaTypes[candidate] === `${range.type}/${range.subtype}`);
    if (!format) continue;
    if (range.q <= 0) refused.add(format);
    else if (!best || range.q > best.q) best = { format, q: range.q };
  }
  return { format: best?.format, refused };
}

/**
 * The format of a reply (mod_rest's decide_type over `Accept + "," + Content-Type`): what Accept
 * names, else the request's own Content-Type, else XML; never one Accept refuses with q=0.
 */
export function replyFormat(accept: string | undefined, contentType?: string): BodyFormat {
  const { format, refused } = namedFormat(accept);
  if (format) return format;
  const own = parseMediaType(contentType)?.essence;
  const fromRequest = bodyFormats.find((candidate) => mediaTypes[candidate] === own);
  if (fromRequest && !refused.has(fromRequest)) return fromRequest;
  return bodyFormats.find((candidate) => !refused.has(candidate)) ?? 'xml';
}
