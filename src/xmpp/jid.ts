import { invalidCharAt } from './codec/xml-chars.ts';

/**
 * JIDs after RFC 7622, normalised the way Prosody's jid.prep does for the cases that matter to
 * HTTP clients: case-folded local part and domain (`ALICE@LocalHost` → `alice@localhost`),
 * Unicode NFKC/NFC, the forbidden characters refused, each part at most 1023 bytes.
 * Full PRECIS profiles are out of scope; what this refuses, Prosody would refuse too.
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
// RFC 7622 §3.3.1: these may not appear in a localpart; whitespace and controls are refused too.
const FORBIDDEN_IN_LOCAL = /["&'/:<>@\s\p{Cc}]/u;
const FORBIDDEN_IN_RESOURCE = /[\p{Cc}]/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;

function byteLength(part: string): number {
  return Buffer.byteLength(part, 'utf8');
}

function fitsLength(part: string): boolean {
  const bytes = byteLength(part);
  return bytes > 0 && bytes <= MAX_PART_BYTES;
}

function prepDomain(raw: string): string | undefined {
  // A trailing dot is the DNS root label; RFC 7622 §3.2 says to strip it.
  const domain = raw.normalize('NFKC').toLowerCase().replace(/\.$/, '');
  if (!fitsLength(domain)) return undefined;
  if (IPV6_LITERAL.test(domain)) return domain;
  const v4 = IPV4.exec(domain);
  if (v4) return v4.slice(1).every((octet) => Number(octet) <= 255) ? domain : undefined;
  const labels = domain.split('.');
  return labels.every((label) => label.length <= 63 && DOMAIN_LABEL.test(label)) ? domain : undefined;
}

function prepLocal(raw: string): string | undefined {
  const local = raw.normalize('NFKC').toLowerCase();
  return fitsLength(local) && !FORBIDDEN_IN_LOCAL.test(local) ? local : undefined;
}

function prepResource(raw: string): string | undefined {
  // OpaqueString (RFC 8265 §4.2): non-ASCII spaces become ASCII space, then NFC.
  const resource = raw.replace(/\p{Zs}/gu, ' ').normalize('NFC');
  return fitsLength(resource) && !FORBIDDEN_IN_RESOURCE.test(resource) ? resource : undefined;
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
