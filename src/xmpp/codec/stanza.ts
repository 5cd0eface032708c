import type { Element } from 'ltx';
import type { Jid } from '../jid.ts';
import { checkWritable } from './wire-check.ts';
import { serializeElement } from './xml-writer.ts';

export type StanzaKind = 'message' | 'presence' | 'iq';

export const stanzaKinds: readonly StanzaKind[] = ['message', 'presence', 'iq'];

export function isStanzaKind(name: string): name is StanzaKind {
  return (stanzaKinds as readonly string[]).includes(name);
}

/**
 * A stanza that passed the codec: kind, addresses and id are known to be valid, and the element
 * is in jabber:client form (no xmlns on the stanza element). Only the codec builds Stanzas, so
 * holding one means it may go to the wire or to an HTTP client as it is.
 */
export class Stanza {
  #xml: string | undefined;
  /** The serialised size, once the stanza passed the wire check (characters and names). */
  #wireBytes: number | undefined;

  /** @internal use the codec's parse and decode functions */
  constructor(
    readonly kind: StanzaKind,
    readonly element: Element,
    readonly from: Jid,
    readonly to: Jid,
  ) {}

  get id(): string {
    return this.element.attrs.id ?? '';
  }

  get type(): string | undefined {
    return this.element.attrs.type;
  }

  get lang(): string | undefined {
    return this.element.attrs['xml:lang'];
  }

  /** An iq get/set: the sender is waiting for exactly one reply. */
  get isIqRequest(): boolean {
    return this.kind === 'iq' && (this.type === 'get' || this.type === 'set');
  }

  /** A result or error iq, or any error stanza: never to be answered (no error loops). */
  get isReply(): boolean {
    return this.type === 'error' || (this.kind === 'iq' && this.type === 'result');
  }

  /** The child elements: the iq payload, message extensions, presence extensions. */
  get payloads(): Element[] {
    return this.element.getChildElements();
  }

  /** Serialized once: the same stanza may go to the socket, a webhook and the log. */
  toXml(): string {
    this.#xml ??= serializeElement(this.element);
    return this.#xml;
  }

  /**
   * The XML for the XMPP server: toXml() once it passed the wire check (wire-check.ts), which
   * runs once per stanza. Throws GatewayError `invalid-character`, `not-well-formed` or
   * `stanza-too-large` (past `maxBytes`), before anything is written.
   */
  toWire(maxBytes: number): string {
    const xml = this.toXml();
    if (this.#wireBytes === undefined || this.#wireBytes > maxBytes)
      this.#wireBytes = checkWritable(this.element, xml, maxBytes);
    return xml;
  }
}
