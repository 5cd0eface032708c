import type { Delivery, DeliveryAttempt, DeliveryStatus as Status, StanzaKind } from '../../generated/prisma/client.ts';
import type { MUTABLE_COLUMNS } from './log-columns.ts';

/**
 * The delivery log's rows as plain values: what src/webhooks writes and what the service API and
 * GraphQL read. prisma/schema.prisma is their one source: these are the generated models (an
 * attempt's JSON headers narrowed to what the gateway stores), so a column added there is a
 * compile error in every place that builds or writes a whole row (src/db/log-columns.ts,
 * src/webhooks/delivery-record.ts and attempt-record.ts, src/schema/delivery-columns.ts) until
 * it is given its value there; test/unit/delivery-row-shape.test.ts holds them to it.
 */
export type DeliveryRecord = Delivery;
export type DeliveryStatus = Status;
export type DeliveryKind = StanzaKind;

/** How a delivery ended: see docs/webhooks.md "The delivery log". */
export type DeliveryOutcome =
  'accepted' | 'replied' | 'http-error' | 'unreachable' | 'invalid-response' | 'interrupted' | 'rejected';
export type AttemptErrorKind = 'connect' | 'timeout' | 'http' | 'invalid-response' | 'aborted';

/** Response headers, names lower-cased: the only JSON the gateway stores in `responseHeaders`. */
export type AttemptRecord = Omit<DeliveryAttempt, 'responseHeaders'> & {
  responseHeaders: Record<string, string> | null;
};

/** A later write of a delivery: some of the columns that change after the insert, and when. */
export type DeliveryPatch = Partial<Pick<DeliveryRecord, (typeof MUTABLE_COLUMNS)[number]>> & { updatedAt: Date };

export interface DeliveryFilter {
  status?: DeliveryStatus;
  kind?: DeliveryKind;
  /** A bare JID matches every resource of the sender; a full JID only that one. */
  from?: string;
  /** createdAt >= since */
  since?: Date;
  /** createdAt < until */
  until?: Date;
}
