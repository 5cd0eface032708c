import { randomUUID } from 'node:crypto';
import { Element } from 'ltx';
import { GatewayError } from '../../errors/gateway-error.ts';
import { parseJid } from '../jid.ts';
import { isStanzaKind, Stanza } from './stanza.ts';

export interface OutboundRules {
  /** The component's domain: `from` must be it or an address at it. */
  domain: string;
  /**
   * mod_rest sends only iq requests (get/set). API clients that answer an inbound iq (GraphQL
   * subscribers) may also send result/error iqs.
   */
  allowIqReplies?: boolean;
  /**
   * XMPP_MAX_STANZA_BYTES: the wire check (wire-check.ts) runs as the last rule, so that a face
   * learns of a refusal before any side effect; the core runs it again (once per stanza, cached)
   * on everything it writes.
   */
  maxStanzaBytes: number;
}

const NS_CLIENT = 'jabber:client';

/**
 * The stanza rules of mod_rest's POST handler, in its order: kind, namespace, `to`, `from`, iq
 * type, iq payload count; then the wire check (characters, names, serialised size). Builds a
 * fresh, normalised element: only `to`, `from`, `id`, `type`, `xml:lang` and prefix
 * declarations survive on the stanza element.
 */
export function applyOutboundRules(element: Element, rules: OutboundRules): Stanza {
  const kind = element.name;
  if (!isStanzaKind(kind)) throw new GatewayError('unsupported-stanza-type', { field: 'name' });

  const xmlns = element.attrs.xmlns;
  if (xmlns !== undefined && xmlns !== NS_CLIENT) throw new GatewayError('invalid-namespace', { field: 'xmlns' });

  const rawTo = element.attrs.to;
  const to = parseJid(rawTo ?? rules.domain);
  if (!to) throw new GatewayError('invalid-to', { field: 'to' });

  const rawFrom = element.attrs.from;
  const from = parseJid(rawFrom ?? rules.domain);
  if (!from) throw new GatewayError('invalid-from', { field: 'from' });
  // Also what keeps the link alive: Prosody and ejabberd close the whole component stream
  // when a stanza carries a `from` outside the component's domain (DESIGN.md).
  if (from.domain !== rules.domain) throw new GatewayError('from-not-authorized', { field: 'from' });

  const type = element.attrs.type;
  const children = element.getChildElements();
  if (kind === 'iq') {
    const allowed = rules.allowIqReplies ? ['get', 'set', 'result', 'error'] : ['get', 'set'];
    if (type === undefined || !allowed.includes(type)) throw new GatewayError('invalid-iq-type', { field: 'type' });
    const expected = type === 'result' ? children.length <= 1 : type === 'error' || children.length === 1;
    if (!expected) throw new GatewayError('iq-child-count', { field: 'payload' });
  }

  const attrs: Record<string, string> = {
    from: from.toString(),
    to: to.toString(),
    id: element.attrs.id ?? randomUUID(),
  };
  if (type !== undefined) attrs.type = type;
  const lang = element.attrs['xml:lang'];
  if (lang !== undefined) attrs['xml:lang'] = lang;
  // Prefix declarations stay: payload elements may use them.
  for (const [name, value] of Object.entries(element.attrs)) {
    if (name.startsWith('xmlns:')) attrs[name] = value;
  }

  const normalised = new Element(kind, attrs);
  for (const child of element.children) normalised.cnode(child);
  const stanza = new Stanza(kind, normalised, from, to);
  stanza.toWire(rules.maxStanzaBytes);
  return stanza;
}
