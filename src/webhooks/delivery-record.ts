import { newDeliveryId } from '../db/delivery-id.ts';
import type { DeliveryRecord } from '../db/records.ts';
import type { Stanza } from '../xmpp/codec/index.ts';

/** The log row of a stanza just accepted: pending, due now, its XML exactly as it will be POSTed. */
export function newDeliveryRecord(stanza: Stanza, redeliveryOf: string | null): DeliveryRecord {
  const now = new Date();
  return {
    id: newDeliveryId(now.getTime()),
    createdAt: now,
    updatedAt: now,
    kind: stanza.kind,
    stanzaType: stanza.type ?? null,
    stanzaId: stanza.id,
    fromJid: stanza.from.toString(),
    senderBare: stanza.from.bare().toString(),
    toJid: stanza.to.toString(),
    lang: stanza.lang ?? null,
    xml: stanza.toXml(),
    status: 'pending',
    attemptCount: 0,
    nextAttemptAt: now,
    finishedAt: null,
    outcome: null,
    replyXml: null,
    redeliveryOf,
  };
}
