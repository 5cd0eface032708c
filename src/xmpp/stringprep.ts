import {
  CASE_FOLD_MULTI,
  CASE_FOLD_RUNS,
  L_CAT,
  MAPPED_TO_NOTHING,
  NFKC_3_2,
  PROHIBITED,
  RAND_AL_CAT,
  UNASSIGNED,
} from './stringprep-tables.ts';

/**
 * Stringprep (RFC 3454) with the three profiles XMPP servers apply to JIDs: Nodeprep and
 * Resourceprep (RFC 6122, appendices A and B) and Nameprep (RFC 3491). Prosody and ejabberd
 * check every address this way (not with PRECIS), so what fails here is what they refuse:
 * ejabberd answers `bad-request`, Prosody `jid-malformed`. Code points unassigned in Unicode
 * 3.2 are refused, as ejabberd does (emoji among them); Prosody lets them through, so the
 * gateway is as strict as the stricter of the two. Returns the prepared string, or undefined.
 */
export type StringprepProfile = 'nodeprep' | 'resourceprep' | 'nameprep';

type Ranges = Uint32Array;

function parseRanges(text: string): Ranges {
  const bounds: number[] = [];
  for (const item of text.split(',')) {
    const [start, end = start] = item.split('-');
    bounds.push(parseInt(start!, 16), parseInt(end!, 16));
  }
  return Uint32Array.from(bounds);
}

function inRanges(ranges: Ranges, cp: number): boolean {
  let low = 0;
  let high = ranges.length / 2 - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (cp < ranges[2 * mid]!) high = mid - 1;
    else if (cp > ranges[2 * mid + 1]!) low = mid + 1;
    else return true;
  }
  return false;
}

function parseCaseFold(): Map<number, string> {
  const map = new Map<number, string>();
  for (const run of CASE_FOLD_RUNS.split(',')) {
    const [start, count, step, delta] = run.split(':').map((part, i) => (i === 0 ? parseInt(part, 16) : Number(part)));
    for (let i = 0; i < count!; i += 1) {
      const cp = start! + i * step!;
      map.set(cp, String.fromCodePoint(cp + delta!));
    }
  }
  for (const entry of CASE_FOLD_MULTI.split(',')) {
    const [cp, mapped] = entry.split(':');
    map.set(parseInt(cp!, 16), String.fromCodePoint(...mapped!.split(' ').map((hex) => parseInt(hex, 16))));
  }
  return map;
}

const unassigned = parseRanges(UNASSIGNED);
const mappedToNothing = parseRanges(MAPPED_TO_NOTHING);
const prohibited = parseRanges(PROHIBITED);
const randAlCat = parseRanges(RAND_AL_CAT);
const lCat = parseRanges(L_CAT);
const caseFold = parseCaseFold();
const nfkc32 = new Map(
  NFKC_3_2.split(',').map((entry) => {
    const [cp, then] = entry.split(':').map((hex) => parseInt(hex, 16));
    return [cp!, String.fromCodePoint(then!)] as const;
  }),
);

// Nodeprep prohibits these ASCII characters besides the space and the controls (RFC 6122 A.5).
const NODEPREP_ASCII = new Set([...'"&\'/:<>@'].map((ch) => ch.codePointAt(0)!));
// Printable ASCII: the common case, for which the tables are not needed.
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function prohibitedAscii(cp: number, profile: StringprepProfile): boolean {
  if (profile === 'nameprep') return false;
  // C.2.1, ASCII controls.
  if (cp < 0x20 || cp === 0x7f) return true;
  // C.1.1, the ASCII space, and the nodeprep extras.
  return profile === 'nodeprep' && (cp === 0x20 || NODEPREP_ASCII.has(cp));
}

function asciiPrep(input: string, profile: StringprepProfile): string | undefined {
  const mapped = profile === 'resourceprep' ? input : input.toLowerCase();
  for (let i = 0; i < mapped.length; i += 1) if (prohibitedAscii(mapped.charCodeAt(i), profile)) return undefined;
  return mapped;
}

export function stringprep(input: string, profile: StringprepProfile): string | undefined {
  if (PRINTABLE_ASCII.test(input)) return asciiPrep(input, profile);
  // 1. Map (B.1; B.2 for Nodeprep and Nameprep), refusing unassigned code points (A.1).
  let mapped = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (inRanges(unassigned, cp)) return undefined;
    if (inRanges(mappedToNothing, cp)) continue;
    const folded = profile === 'resourceprep' ? ch : (caseFold.get(cp) ?? ch);
    mapped += nfkc32.get(cp) ?? folded;
  }
  // 2. Normalise (NFKC, as of Unicode 3.2: the few later corrections undone above).
  const output = mapped.normalize('NFKC');
  // 3. Prohibit; 4. the bidirectional rule (RFC 3454 §6).
  let rtl = false;
  let ltr = false;
  for (const ch of output) {
    const cp = ch.codePointAt(0)!;
    if (prohibitedAscii(cp, profile) || inRanges(prohibited, cp)) return undefined;
    if (inRanges(randAlCat, cp)) rtl = true;
    else if (inRanges(lCat, cp)) ltr = true;
  }
  if (rtl) {
    if (ltr) return undefined;
    const first = output.codePointAt(0)!;
    const last = [...output].at(-1)!.codePointAt(0)!;
    if (!inRanges(randAlCat, first) || !inRanges(randAlCat, last)) return undefined;
  }
  return output;
}
