import { type Jid, parseJid } from '../xmpp/jid.ts';

/**
 * An address pattern of a scoped token's `from` and `see` lists:
 *   `bot1@rest.example.net`      that bare address only;
 *   `bot1@rest.example.net/*`    the bare address and every full address of it;
 *   `bot1@rest.example.net/home` that full address only;
 *   `*@rest.example.net`         any bare address at the domain (not the domain itself);
 *   `*@rest.example.net/*`       any address with a local part at the domain;
 *   `rest.example.net`           the domain's own address (a bare domain);
 *   `rest.example.net/*`         the domain's own address and its full addresses.
 * Parts are normalised as JIDs are (case, stringprep), so `Bot1@Rest.Example.NET` matches too.
 */
export interface AddressPattern {
  /** As written in the configuration (for `status` and error messages). */
  readonly text: string;
  /** The domain the pattern lies in (it must be the component's). */
  readonly domain: string;
  matches(address: Jid): boolean;
}

/** The placeholder local part standing for `*` while the rest is checked as a JID. */
const ANY_LOCAL = 'any-local-part';

/** A pattern, or a sentence saying why the text is none. */
export function parseAddressPattern(text: string): AddressPattern | string {
  const trimmed = text.trim();
  const anyResource = trimmed.endsWith('/*');
  const withoutResource = anyResource ? trimmed.slice(0, -2) : trimmed;
  const anyLocal = withoutResource.startsWith('*@');
  if (withoutResource.replace(/^\*@/, '').includes('*')) {
    return `"${text}" is not an address pattern: * may only stand for a whole local part (*@domain) or resource (/*)`;
  }
  const jid = parseJid(anyLocal ? `${ANY_LOCAL}${withoutResource.slice(1)}` : withoutResource);
  if (jid === undefined) return `"${text}" is not an address pattern: it is not a valid address`;
  if (anyResource && !jid.isBare()) return `"${text}" is not an address pattern: it has two resources`;
  const local = anyLocal ? undefined : jid.local;
  const hasLocal = jid.local !== undefined;
  const { domain, resource } = jid;
  return {
    text: trimmed,
    domain,
    matches(address) {
      if (address.domain !== domain) return false;
      if (hasLocal !== (address.local !== undefined)) return false;
      if (!anyLocal && address.local !== local) return false;
      if (anyResource) return true;
      return address.resource === resource;
    },
  };
}

export function matchesAny(address: Jid, patterns: readonly AddressPattern[]): boolean {
  return patterns.some((pattern) => pattern.matches(address));
}
