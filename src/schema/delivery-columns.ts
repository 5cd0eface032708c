import type { AttemptRecord, DeliveryRecord } from '../webhooks/delivery-log.ts';

/**
 * Where each column of the delivery log shows in GraphQL: the name of the field that exposes it,
 * or null for a column kept inside. Typed against the rows, whose one source is
 * prisma/schema.prisma: a new column does not compile until it is placed here, and the
 * `Delivery` and `DeliveryAttempt` objects (delivery.ts) do not compile until they have the
 * field named here. The fields' types come from the rows too (Pothos checks each resolver).
 */
export const DELIVERY_FIELDS = {
  id: 'id',
  createdAt: 'createdAt',
  updatedAt: 'updatedAt',
  kind: 'kind',
  stanzaType: 'type',
  stanzaId: 'stanzaId',
  fromJid: 'from',
  // The sender's lane and the key of the `from` filter; `from` shows the full JID it comes from.
  senderBare: null,
  toJid: 'to',
  // Shown as `stanza { lang }`.
  lang: null,
  xml: 'xml',
  status: 'status',
  attemptCount: 'attemptCount',
  nextAttemptAt: 'nextAttemptAt',
  finishedAt: 'finishedAt',
  outcome: 'outcome',
  replyXml: 'replyXml',
  redeliveryOf: 'redeliveryOf',
} as const satisfies Record<keyof DeliveryRecord, string | null>;

export const ATTEMPT_FIELDS = {
  // An attempt is read through its delivery.
  deliveryId: null,
  number: 'number',
  startedAt: 'startedAt',
  durationMs: 'durationMs',
  httpStatus: 'httpStatus',
  responseHeaders: 'responseHeaders',
  responseExcerpt: 'responseExcerpt',
  responseTruncated: 'responseTruncated',
  errorKind: 'errorKind',
  errorText: 'errorText',
} as const satisfies Record<keyof AttemptRecord, string | null>;

/**
 * An object's `fields` function (Pothos), as it is, once the compiler has checked that the fields
 * it returns include one for each column that `placement` shows. It may return fields of its own
 * besides (`stanza`, `attempts`).
 */
export function showingColumns<Placement extends Readonly<Record<string, string | null>>, FieldBuilder, Fields>(
  _placement: Placement,
  fields: (t: FieldBuilder) => Fields & Record<NonNullable<Placement[keyof Placement]>, unknown>,
): (t: FieldBuilder) => Fields {
  return fields;
}
