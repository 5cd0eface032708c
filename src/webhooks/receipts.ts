import { Element } from 'ltx';
import { type OutboundRules, type Stanza, stanzaFromElement } from '../xmpp/codec/index.ts';
import { NS_RECEIPTS } from '../xmpp/codec/namespaces.ts';

/**
 * XEP-0184 delivery receipts: a message that asks for one (`<request/>` and an id) gets
 * `<received id='…'/>` once the callback took it (2xx). mod_rest tries and sends a receipt
 * without the id (a bug); the gateway sends it right. Not for errors (no replies to them) nor
 * groupchat (XEP-0184 §5.3: not in rooms).
 */
export function receiptRequested(request: Stanza): boolean {
  return (
    request.kind === 'message' &&
    request.type !== 'error' &&
    request.type !== 'groupchat' &&
    request.id !== '' &&
    request.element.getChild('request', NS_RECEIPTS) !== undefined
  );
}

function received(request: Stanza): Element {
  return new Element('received', { xmlns: NS_RECEIPTS, id: request.id });
}

/** The receipt alone, when the callback accepted the message without a reply. */
export function receiptFor(request: Stanza, rules: OutboundRules): Stanza {
  const message = new Element('message', { to: request.from.toString(), from: request.to.toString() });
  message.cnode(received(request));
  return stanzaFromElement(message, rules);
}

/** The receipt inside the callback's reply message (as mod_rest adds it), unless it has one. */
export function addReceipt(reply: Element, request: Stanza): void {
  if (reply.attrs.type === 'error' || reply.getChild('received', NS_RECEIPTS)) return;
  reply.cnode(received(request));
}
