import { Element } from 'ltx';
import { parseJid } from '../jid.ts';
import { isStanzaKind, Stanza } from './stanza.ts';

/**
 * Turns an element received on the component stream into a Stanza in jabber:client form.
 * The server is trusted to route well-formed stanzas, but not to be perfect: an element that
 * is not a stanza or lacks valid addresses is reported as undefined for the caller to log.
 */
export function decodeInbound(element: Element, domain: string): Stanza | undefined {
  if (!isStanzaKind(element.name)) return undefined;
  const to = parseJid(element.attrs.to ?? domain);
  const from = parseJid(element.attrs.from ?? '');
  if (!to || !from) return undefined;
  const copy = rebuild(element);
  // The stream's namespace stays with the stream: clients see jabber:client form.
  delete copy.attrs.xmlns;
  return new Stanza(element.name, copy, from, to);
}

/**
 * xmpp.js parses with ltx's CommonJS build, whose Element is another class than the ES module
 * build the gateway uses, so `instanceof` checks inside ltx (getChildElements…) would fail on
 * its nodes. Rebuilding the tree also detaches the stanza from the stream root.
 */
function rebuild(element: Element): Element {
  const copy = new Element(element.name, { ...element.attrs });
  for (const child of element.children) copy.cnode(typeof child === 'string' ? child : rebuild(child));
  return copy;
}
