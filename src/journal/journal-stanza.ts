import type { JournalRecord } from '../db/journal-records.ts';
import { decodeInbound, parseXmlElement, type Stanza } from '../xmpp/codec/index.ts';

/** A stanza as a journal row: the codec's own serialization, and the columns pages filter on. */
export function journalRecordOf(stanza: Stanza, seq: number, receivedAt: Date): JournalRecord {
  return {
    seq,
    receivedAt,
    kind: stanza.kind,
    stanzaType: stanza.type ?? null,
    fromJid: stanza.from.toString(),
    senderBare: stanza.from.bare().toString(),
    toJid: stanza.to.toString(),
    xml: stanza.toXml(),
  };
}

/** A row back as the stanza it was; undefined only if the row was tampered with. */
export function stanzaOfRecord(row: JournalRecord, domain: string): Stanza | undefined {
  try {
    return decodeInbound(parseXmlElement(row.xml, { maxBytes: Number.MAX_SAFE_INTEGER }), domain);
  } catch {
    return undefined;
  }
}
