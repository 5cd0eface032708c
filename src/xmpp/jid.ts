import { isIPv6 } from 'node:net';
import { stringprep } from './stringprep.ts';
import { invalidCharAt } from './codec/xml-chars.ts';

/**
 * JIDs as XMPP servers check them (docs/addresses.md): the structure and limits of RFC 7622,
 * each part prepared as Prosody and ejabberd prepare it, with stringprep (RFC 3454: Nodeprep,
 * Resourceprep, Nameprep), which is stricter than PRECIS where the two differ (code points
 * unassigned in Unicode 3.2, such as emoji, and its older bidirectional rule). An address
 * either server would refuse is refused here; the normalised form is the servers' (case
 * folded, NFKC: `ALICE@LocalHost` → `alice@localhost`, `Straße@x` → `strasse@x`), so that
 * replies match the requests they answer.
 */
export class Jid {
  private constructor(
    readonly local: string | undefined,
    readonly domain: string,
    readonly resource: string | undefined,
  ) {}

  /** The only way in from outside: a Jid always holds a valid, normalised address. */
  static parse(input: string): Jid | undefined {
    const parts = prepParts(input);
    return parts && new Jid(parts.local, parts.domain, parts.resource);
  }

  bare(): Jid {
    return this.resource === undefined ? this : new Jid(this.local, this.domain, undefined);
  }

  isBare(): boolean {
    return this.resource === undefined;
  }

  equals(other: Jid): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    const bare = this.local === undefined ? this.domain : `${this.local}@${this.domain}`;
    return this.resource === undefined ? bare : `${bare}/${this.resource}`;
  }
}

const MAX_PART_BYTES = 1023;
// After Nameprep, each label: letters, digits and marks, with inner hyphens (RFC 7622 §3.2).
const DOMAIN_LABEL = /^[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
// The label separators of IDNA (RFC 3490 §3.1): ideographic and fullwidth full stops.
const DOTS = /[\u3002\uff0e\uff61]/g;

function byteLength(part: string): number {
  return Buffer.byteLength(part, 'utf8');
}

function fitsLength(part: string): boolean {
  const bytes = byteLength(part);
  return bytes > 0 && bytes <= MAX_PART_BYTES;
}

function prepDomain(raw: string): string | undefined {
  if (raw.startsWith('[') && raw.endsWith(']')) {
    return isIPv6(raw.slice(1, -1)) ? raw.toLowerCase() : undefined;
  }
  // A trailing dot is the DNS root label; RFC 7622 §3.2 says to strip it.
  const prepared = stringprep(raw.replace(DOTS, '.'), 'nameprep')?.replace(/\.$/, '');
  if (prepared === undefined || !fitsLength(prepared)) return undefined;
  const v4 = IPV4.exec(prepared);
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255) ? prepared : undefined;
  return prepared.split('.').every((label) => label.length <= 63 && DOMAIN_LABEL.test(label)) ? prepared : undefined;
}

function prepLocal(raw: string): string | undefined {
  const local = stringprep(raw, 'nodeprep');
  return local !== undefined && fitsLength(local) ? local : undefined;
}

function prepResource(raw: string): string | undefined {
  const resource = stringprep(raw, 'resourceprep');
  return resource !== undefined && fitsLength(resource) ? resource : undefined;
}

function prepParts(input: string): { local?: string; domain: string; resource?: string } | undefined {
  if (input === '' || byteLength(input) > 3 * MAX_PART_BYTES + 2) return undefined;
  // U+FFFE, U+FFFF and unpaired surrogates are not XML 1.0: the server would close the stream.
  if (invalidCharAt(input) !== -1) return undefined;
  const slash = input.indexOf('/');
  const address = slash === -1 ? input : input.slice(0, slash);
  const rawResource = slash === -1 ? undefined : input.slice(slash + 1);
  const at = address.indexOf('@');
  const rawLocal = at === -1 ? undefined : address.slice(0, at);
  const rawDomain = at === -1 ? address : address.slice(at + 1);

  const domain = prepDomain(rawDomain);
  if (domain === undefined) return undefined;
  const local = rawLocal === undefined ? undefined : prepLocal(rawLocal);
  if (rawLocal !== undefined && local === undefined) return undefined;
  const resource = rawResource === undefined ? undefined : prepResource(rawResource);
  if (rawResource !== undefined && resource === undefined) return undefined;
  return { local, domain, resource };
}

/** Parses and normalises a JID; undefined when it is not a valid JID. */
export function parseJid(input: string): Jid | undefined {
  return Jid.parse(input);
}
