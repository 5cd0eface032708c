import { decodeInbound, parseXmlElement, type Stanza } from '../xmpp/codec/index.ts';

/**
 * A logged stanza back as a Stanza (resume after a restart, redelivery). The log holds exactly
 * what was POSTed, which the codec produced; undefined only if the row was tampered with.
 */
export function stanzaFromLog(xml: string, domain: string): Stanza | undefined {
  try {
    return decodeInbound(parseXmlElement(xml, { maxBytes: Number.MAX_SAFE_INTEGER }), domain);
  } catch {
    return undefined;
  }
}
