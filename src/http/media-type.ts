/**
 * Content-Type parsing and Accept negotiation (RFC 9110 §8.3, §12.5.1). Small on purpose:
 * the /rest router and later body formats (JSON, form, text) share it.
 */
export interface MediaType {
  /** Lower-cased `type/subtype`. */
  essence: string;
  params: Record<string, string>;
}

export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (!header) return undefined;
  const [essence, ...rawParams] = header.split(';');
  const type = essence!.trim().toLowerCase();
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(type)) return undefined;
  const params: Record<string, string> = {};
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    if (eq === -1) continue;
    const name = raw.slice(0, eq).trim().toLowerCase();
    params[name] = raw
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { essence: type, params };
}

export interface AcceptRange {
  type: string;
  subtype: string;
  q: number;
  specificity: number;
}

/** The media ranges of an Accept header, in the order given. */
export function parseAccept(header: string): AcceptRange[] {
  const ranges: AcceptRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';');
    const [type = '', subtype = ''] = range.trim().toLowerCase().split('/');
    if (type === '' || subtype === '') continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    const specificity = (type === '*' ? 0 : 1) + (subtype === '*' ? 0 : 1);
    ranges.push({ type, subtype, q: Number.isFinite(q) ? q : 0, specificity });
  }
  return ranges;
}

/**
 * Picks the offered type the client prefers; the first offer when Accept is absent or matches
 * none (an API answers in its default format rather than 406).
 */
export function negotiate<T extends string>(accept: string | undefined, offers: readonly [T, ...T[]]): T {
  if (!accept) return offers[0];
  const ranges = parseAccept(accept);
  let best: { offer: T; q: number; specificity: number; index: number } | undefined;
  offers.forEach((offer, index) => {
    const [type, subtype] = offer.split('/');
    const match = ranges
      .filter((r) => (r.type === '*' || r.type === type) && (r.subtype === '*' || r.subtype === subtype))
      .sort((a, b) => b.specificity - a.specificity)[0];
    if (!match || match.q <= 0) return;
    if (!best || match.q > best.q || (match.q === best.q && index < best.index)) {
      best = { offer, q: match.q, specificity: match.specificity, index };
    }
  });
  return best?.offer ?? offers[0];
}
