import type { AttemptRecord, DeliveryKind, DeliveryRecord, DeliveryStatus } from './records.ts';

/**
 * The SQL type a column's JSON value is read as (jsonb_to_recordset), by the column's TypeScript
 * type: a map that gives `attemptCount` the type `text` does not compile. The enums are the
 * Postgres types Prisma creates for them.
 */
type SqlType<T> = [NonNullable<T>] extends [Date]
  ? 'timestamptz'
  : [NonNullable<T>] extends [number]
    ? 'int'
    : [NonNullable<T>] extends [boolean]
      ? 'boolean'
      : [NonNullable<T>] extends [DeliveryStatus]
        ? '"DeliveryStatus"'
        : [NonNullable<T>] extends [DeliveryKind]
          ? '"StanzaKind"'
          : [NonNullable<T>] extends [string]
            ? 'text' | 'uuid'
            : 'jsonb';

/** Every column of a row, once, with its SQL type: a column missing or unknown does not compile. */
export type Columns<Row> = { readonly [Name in keyof Row]-?: SqlType<Row[Name]> };

/**
 * The columns of "Delivery" (prisma/schema.prisma), in the order of the batch statement's lists.
 * The one copy of the row's shape that the batched SQL is generated from (src/db/log-batch.ts).
 */
export const DELIVERY_COLUMNS: Columns<DeliveryRecord> = {
  id: 'uuid',
  createdAt: 'timestamptz',
  updatedAt: 'timestamptz',
  kind: '"StanzaKind"',
  stanzaType: 'text',
  stanzaId: 'text',
  fromJid: 'text',
  senderBare: 'text',
  toJid: 'text',
  lang: 'text',
  xml: 'text',
  status: '"DeliveryStatus"',
  attemptCount: 'int',
  nextAttemptAt: 'timestamptz',
  finishedAt: 'timestamptz',
  outcome: 'text',
  replyXml: 'text',
  redeliveryOf: 'uuid',
};

/** The columns of "DeliveryAttempt" (prisma/schema.prisma). */
export const ATTEMPT_COLUMNS: Columns<AttemptRecord> = {
  deliveryId: 'uuid',
  number: 'int',
  startedAt: 'timestamptz',
  durationMs: 'int',
  httpStatus: 'int',
  responseHeaders: 'jsonb',
  responseExcerpt: 'text',
  responseTruncated: 'boolean',
  errorKind: 'text',
  errorText: 'text',
};

/**
 * The columns a delivery's later writes change; the others are written once, by the insert.
 * DeliveryPatch (src/db/records.ts) is derived from this list.
 */
export const MUTABLE_COLUMNS = [
  'status',
  'attemptCount',
  'nextAttemptAt',
  'finishedAt',
  'outcome',
  'replyXml',
  'updatedAt',
] as const satisfies readonly (keyof DeliveryRecord)[];

/** `"id", "createdAt", …`: the column list of an INSERT. */
export function columnNames(columns: Readonly<Record<string, string>>): string {
  return Object.keys(columns)
    .map((name) => `"${name}"`)
    .join(', ');
}

/** `"id" uuid, "createdAt" timestamptz, …`: the record definition of jsonb_to_recordset. */
export function recordDefinition(columns: Readonly<Record<string, string>>): string {
  return Object.entries(columns)
    .map(([name, type]) => `"${name}" ${type}`)
    .join(', ');
}
