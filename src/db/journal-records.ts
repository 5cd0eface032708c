import type { DeliveryKind } from './records.ts';

/**
 * One row of the inbound journal ("InboundStanza" in prisma/schema.prisma, without its domain:
 * a journal reads and writes only its own component domain's rows). `seq` is the cursor:
 * assigned in arrival order by the journal, before the row is written.
 */
export interface JournalRecord {
  seq: number;
  receivedAt: Date;
  kind: DeliveryKind;
  stanzaType: string | null;
  fromJid: string;
  senderBare: string;
  toJid: string;
  xml: string;
}

/** What a page of the journal may be narrowed to (SQL columns; src/db knows no XMPP). */
export interface JournalFilter {
  kind?: DeliveryKind;
  /** The normalised bare JID of the sender (every resource), or a full one. */
  sender?: { bare: string } | { full: string };
  /** receivedAt >= since */
  since?: Date;
  /** receivedAt < until */
  until?: Date;
}
