import type { Element } from 'ltx';
import type { Stanza, StanzaKind } from '../xmpp/codec/index.ts';
import { NS_CLIENT } from '../xmpp/codec/namespaces.ts';
import type { Jid } from '../xmpp/jid.ts';

/**
 * What a subscriber wants to see of the inbound stream. Every list is an "any of"; the lists
 * combine with "and"; an absent or empty list lets everything through.
 */
export interface StanzaFilter {
  kinds?: readonly StanzaKind[] | null;
  /** Effective types (see effectiveType): `chat`, `normal`, `available`, `get`, … */
  types?: readonly string[] | null;
  /** A bare JID matches every resource of it; a full JID matches exactly. */
  from?: readonly Jid[] | null;
  to?: readonly Jid[] | null;
  /** Namespaces of the stanza's child elements (payloads); any one of them matching suffices. */
  xmlns?: readonly string[] | null;
}

/**
 * The type a receiver acts on: a message without (or with an unknown) type is `normal`
 * (RFC 6121 §5.2.2), a presence without type is `available` (RFC 6121 §4.7.1).
 */
export function effectiveType(stanza: Stanza): string | undefined {
  const type = stanza.type;
  if (stanza.kind === 'message') {
    return type !== undefined && ['chat', 'error', 'groupchat', 'headline', 'normal'].includes(type) ? type : 'normal';
  }
  if (stanza.kind === 'presence') return type ?? 'available';
  return type;
}

/** An element's namespace; a stanza child without xmlns is in the stanza's (jabber:client). */
export function namespaceOf(element: Element): string {
  return element.getNS() ?? NS_CLIENT;
}

function addressMatches(address: Jid, wanted: readonly Jid[]): boolean {
  const full = address.toString();
  const bare = address.bare().toString();
  return wanted.some((jid) => (jid.isBare() ? jid.toString() === bare : jid.toString() === full));
}

function active<T>(list: readonly T[] | null | undefined): list is readonly T[] {
  return list !== undefined && list !== null && list.length > 0;
}

/**
 * The filter as a subscription keeps it: one object shape for all (a GraphQL argument object is
 * a dictionary of its own, a few hundred bytes, for as long as the subscription lives), an absent
 * or empty list as undefined. Matches exactly what the filter it came from matches.
 */
export function compactFilter(filter: StanzaFilter): StanzaFilter {
  const list = <T>(values: readonly T[] | null | undefined) => (active(values) ? [...values] : undefined);
  return {
    kinds: list(filter.kinds),
    types: list(filter.types),
    from: list(filter.from),
    to: list(filter.to),
    xmlns: list(filter.xmlns),
  };
}

export function matchesFilter(stanza: Stanza, filter: StanzaFilter): boolean {
  if (active(filter.kinds) && !filter.kinds.includes(stanza.kind)) return false;
  if (active(filter.types)) {
    const type = effectiveType(stanza);
    if (type === undefined || !filter.types.includes(type)) return false;
  }
  if (active(filter.from) && !addressMatches(stanza.from, filter.from)) return false;
  if (active(filter.to) && !addressMatches(stanza.to, filter.to)) return false;
  if (active(filter.xmlns)) {
    const wanted = filter.xmlns;
    if (!stanza.payloads.some((child) => wanted.includes(namespaceOf(child)))) return false;
  }
  return true;
}
