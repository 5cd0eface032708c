import { randomBytes } from 'node:crypto';
import type { Element } from 'ltx';
import { escapeAttribute } from './codec/index.ts';
import { NS_CLIENT } from './codec/namespaces.ts';
import { parseJid } from './jid.ts';

/**
 * The stanzas connections of one component domain exchange among themselves (link-guard.ts):
 * probes, the serving connection's `busy` answer to them, and relays of stanzas that reached a
 * connection that does not serve. A probe or a `busy` answer that reaches a connection other than
 * the one it is for is sent on again (with its hop count raised), like a relay: the server routes
 * the answer to any connection of the domain, the serving one itself included. All are
 * addressed from and to random addresses at the domain, so that whatever way the server spreads
 * the domain's traffic over its connections (ejabberd: at random, or by source or destination
 * address), each one is an independent draw. Only a
 * connection authenticated for the domain can send from an address at it, so these are trusted
 * only when `from` is at the domain.
 */
export const NS_LINK = 'urn:stanza-gateway:link:0';

export type ProbeRole = 'checking' | 'standby' | 'serving';

export type LinkElement =
  | { type: 'probe'; id: string; nonce: string; role: ProbeRole; hops: number; element: Element }
  /** `id` is the answered probe's; `nonce` the serving connection's. */
  | { type: 'busy'; id: string; nonce: string; hops: number }
  | { type: 'relay'; inner: Element; hops: number }
  /** Carries the namespace but is none of the above: dropped, never delivered. */
  | { type: 'junk' }
  | { type: 'stanza' };

function randomLocal(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** How the ids of one connection's probes start: the probes, and their `busy` answers, are its own. */
export function probeIdPrefix(nonce: string): string {
  return `sg-probe-${nonce}-`;
}

export function probeId(nonce: string, round: number, index: number): string {
  return `${probeIdPrefix(nonce)}${round}-${index}`;
}

export function probeXml(domain: string, id: string, nonce: string, role: ProbeRole, hops = 0): string {
  return (
    `<iq type='get' id='${id}' from='${randomLocal('probe')}@${domain}' to='${randomLocal('probe')}@${domain}'>` +
    `<probe xmlns='${NS_LINK}' nonce='${nonce}' role='${role}' hops='${hops}'/></iq>`
  );
}

/** A probe sent on again, unchanged but for its hop count and addresses (it is not ours to answer). */
export function forwardProbeXml(domain: string, probe: Extract<LinkElement, { type: 'probe' }>): string {
  return probeXml(domain, probe.id, probe.nonce, probe.role, probe.hops + 1);
}

function busyIq(domain: string, address: { id: string; from: string; to: string }, nonce: string, hops: number) {
  return (
    `<iq type='error' id='${escapeAttribute(address.id)}' from='${escapeAttribute(address.from)}' to='${escapeAttribute(address.to)}'>` +
    `<busy xmlns='${NS_LINK}' nonce='${escapeAttribute(nonce)}' hops='${hops}'/>` +
    `<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>` +
    `<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>${domain} is served by another connection</text></error></iq>`
  );
}

/** The serving connection's answer to someone else's probe: the domain is taken. */
export function busyXml(domain: string, probe: Element, nonce: string): string {
  const attr = (name: string) => probe.attrs[name] ?? domain;
  return busyIq(domain, { id: attr('id'), from: attr('to'), to: attr('from') }, nonce, 0);
}

/**
 * A `busy` answer sent on again, unchanged but for its hop count and addresses (it is for
 * another connection's probe): fresh addresses, so that each hop is a new draw of the server's.
 */
export function forwardBusyXml(domain: string, busy: Extract<LinkElement, { type: 'busy' }>): string {
  const address = { id: busy.id, from: `${randomLocal('probe')}@${domain}`, to: `${randomLocal('probe')}@${domain}` };
  return busyIq(domain, address, busy.nonce, busy.hops + 1);
}

export function relayXml(domain: string, inner: Element, hops: number): string {
  // Inside the envelope the stanza would otherwise take the envelope's namespace (the inbound
  // decoder drops it again).
  inner.attrs.xmlns = NS_CLIENT;
  return (
    `<message from='${randomLocal('relay')}@${domain}' to='${randomLocal('relay')}@${domain}'>` +
    `<relay xmlns='${NS_LINK}' hops='${hops}'>${inner.toString()}</relay></message>`
  );
}

const STANZA_NAMES = new Set(['message', 'presence', 'iq']);

function hopsOf(element: Element): number {
  const hops = Number(element.attrs.hops);
  return Number.isSafeInteger(hops) && hops >= 0 ? hops : 0;
}

/** What an inbound element is to the guard; anything not from the domain is an ordinary stanza. */
export function classify(element: Element, domain: string): LinkElement {
  const from = element.attrs.from;
  if (from === undefined || parseJid(from)?.domain !== domain) return { type: 'stanza' };
  if (element.name === 'iq') {
    const probe = element.getChild('probe', NS_LINK);
    const id = element.attrs.id ?? '';
    const nonce = probe?.attrs.nonce;
    if (probe && element.attrs.type === 'get' && nonce) {
      const role = probe.attrs.role;
      return {
        type: 'probe',
        id,
        nonce,
        role: role === 'standby' || role === 'serving' ? role : 'checking',
        hops: hopsOf(probe),
        element,
      };
    }
    const busy = element.getChild('busy', NS_LINK);
    if (busy && element.attrs.type === 'error')
      return { type: 'busy', id, nonce: busy.attrs.nonce ?? '', hops: hopsOf(busy) };
  }
  if (element.name === 'message') {
    const relay = element.getChild('relay', NS_LINK);
    const inner = relay?.getChildElements()[0];
    if (relay && inner && STANZA_NAMES.has(inner.name)) return { type: 'relay', inner, hops: hopsOf(relay) };
  }
  return element.getChildElements().some((child) => child.attrs.xmlns === NS_LINK)
    ? { type: 'junk' }
    : { type: 'stanza' };
}
