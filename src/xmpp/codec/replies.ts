import { Element } from 'ltx';
import { NS_STANZAS, type StanzaErrorValue } from '../../errors/stanza-error.ts';
import { Stanza } from './stanza.ts';

/**
 * Replies to a received stanza: addressed back to its sender, from the address it was sent to
 * (always at the component's domain), with the same id (RFC 6120 §8.2.3).
 */
function replyElement(request: Stanza, type: string): Element {
  return new Element(request.kind, {
    from: request.to.toString(),
    to: request.from.toString(),
    id: request.id,
    type,
  });
}

export function iqResult(request: Stanza, payload?: Element): Stanza {
  const element = replyElement(request, 'result');
  if (payload) element.cnode(payload);
  return new Stanza('iq', element, request.to, request.from);
}

export function errorElement(error: StanzaErrorValue, by?: string): Element {
  const element = new Element('error', by === undefined ? { type: error.type } : { type: error.type, by });
  element.cnode(new Element(error.condition, { xmlns: NS_STANZAS }));
  if (error.text) element.cnode(new Element('text', { xmlns: NS_STANZAS }).t(error.text));
  return element;
}

export function errorReply(request: Stanza, error: StanzaErrorValue): Stanza {
  const element = replyElement(request, 'error');
  element.cnode(errorElement(error, request.to.toString()));
  return new Stanza(request.kind, element, request.to, request.from);
}

/** The condition, type and text of an error stanza's `<error/>`, when it has one. */
export function readStanzaError(stanza: Stanza): StanzaErrorValue | undefined {
  const error = stanza.element.getChild('error');
  if (!error) return undefined;
  const condition = error.getChildElements().find((child) => child.attrs.xmlns === NS_STANZAS && child.name !== 'text');
  const type = error.attrs.type;
  const text = error.getChildText('text', NS_STANZAS) ?? undefined;
  return {
    type:
      type === 'auth' || type === 'cancel' || type === 'continue' || type === 'modify' || type === 'wait'
        ? type
        : 'cancel',
    condition: condition?.name ?? 'undefined-condition',
    text,
  };
}
