import { negotiate, type MediaType } from '../../http/media-type.ts';
import type { RestFormat } from './format.ts';
import { json } from './json.ts';
import { xmppXml } from './xmpp-xml.ts';

export type { RestFormat } from './format.ts';

/** Preference order: the first is the default when Accept says nothing usable. */
const formats: readonly [RestFormat, ...RestFormat[]] = [xmppXml, json];

/** The format that decodes a request body of this media type, if any. */
export function requestFormat(mediaType: MediaType | undefined): RestFormat | undefined {
  if (!mediaType) return undefined;
  const charset = mediaType.params.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  return formats.find((format) => format.mediaType === mediaType.essence && format.decodeStanza);
}

function pick(accept: string | undefined, candidates: RestFormat[]): RestFormat {
  const chosen = negotiate(accept, candidates.map((format) => format.mediaType) as [string, ...string[]]);
  return candidates.find((format) => format.mediaType === chosen) ?? candidates[0]!;
}

export function errorFormat(accept: string | undefined): RestFormat {
  return pick(accept, [...formats]);
}

export function stanzaFormat(accept: string | undefined): RestFormat {
  return pick(
    accept,
    formats.filter((format) => format.encodeStanza),
  );
}
