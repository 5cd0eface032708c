/**
 * The delivery log's rows as plain values: what src/webhooks writes and what the service API
 * (and later GraphQL) reads. Structurally the generated Prisma models, without tying callers
 * to Prisma's types.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';
export type DeliveryKind = 'message' | 'presence' | 'iq';
/** How a delivery ended: see docs/webhooks.md "The delivery log". */
export type DeliveryOutcome =
  'accepted' | 'replied' | 'http-error' | 'unreachable' | 'invalid-response' | 'interrupted' | 'rejected';
export type AttemptErrorKind = 'connect' | 'timeout' | 'http' | 'invalid-response' | 'aborted';

export interface DeliveryRecord {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  kind: DeliveryKind;
  stanzaType: string | null;
  stanzaId: string;
  fromJid: string;
  senderBare: string;
  toJid: string;
  lang: string | null;
  xml: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  finishedAt: Date | null;
  outcome: string | null;
  replyXml: string | null;
  redeliveryOf: string | null;
}

export interface AttemptRecord {
  deliveryId: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  httpStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseExcerpt: string | null;
  responseTruncated: boolean;
  errorKind: string | null;
  errorText: string | null;
}

/** The columns that change after the insert. */
export type DeliveryPatch = Partial<
  Pick<DeliveryRecord, 'status' | 'attemptCount' | 'nextAttemptAt' | 'finishedAt' | 'outcome' | 'replyXml'>
> & { updatedAt: Date };

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
