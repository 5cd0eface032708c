import type { Element } from 'ltx';
import { applyOutboundRules, type OutboundRules } from './outbound-rules.ts';
import type { Stanza } from './stanza.ts';
import { parseXmlElement } from './xml-parser.ts';

/**
 * The stanza codec: the only way untrusted input becomes a Stanza, and (through
 * Stanza.toXml) the only way a stanza becomes text. /rest, GraphQL and webhooks all use it.
 */
export interface ParseOptions extends OutboundRules {
  maxBytes: number;
}

/** Parses untrusted XML into a stanza ready to send; throws GatewayError with the failed rule. */
export function parseStanza(input: Uint8Array | string, options: ParseOptions): Stanza {
  return applyOutboundRules(parseXmlElement(input, { maxBytes: options.maxBytes }), options);
}

/** Validates a stanza built in code (typed GraphQL mutations, webhook replies). */
export function stanzaFromElement(element: Element, rules: OutboundRules): Stanza {
  return applyOutboundRules(element, rules);
}

export { decodeInbound } from './inbound-decoder.ts';
export { Stanza, type StanzaKind, stanzaKinds, isStanzaKind } from './stanza.ts';
export { parseXmlElement } from './xml-parser.ts';
export { serializeElement, escapeText, escapeAttribute } from './xml-writer.ts';
export type { OutboundRules } from './outbound-rules.ts';
export { iqResult, errorReply, errorElement, readStanzaError } from './replies.ts';
