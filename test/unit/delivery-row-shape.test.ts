import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Prisma } from '../../generated/prisma/browser.ts';
import type { Delivery, DeliveryAttempt } from '../../generated/prisma/client.ts';
import { WRITE_BATCH } from '../../src/db/log-batch.ts';
import { ATTEMPT_COLUMNS, type Columns, DELIVERY_COLUMNS } from '../../src/db/log-columns.ts';
import type { AttemptRecord, DeliveryRecord } from '../../src/db/records.ts';
import { ATTEMPT_FIELDS, DELIVERY_FIELDS, showingColumns } from '../../src/schema/delivery-columns.ts';
import { schema } from '../../src/schema/index.ts';

/**
 * One shape of a delivery row: prisma/schema.prisma is its source, and every copy (the record
 * types, the batched SQL's column lists, the GraphQL placement) is typed against the generated
 * models. The type-level half of this file is checked by `tsc -p tsconfig.json` (part of
 * `npm test`), which includes test/: an `@ts-expect-error` that no longer meets an error fails it.
 */

/** True only when A and B are the same type (not merely assignable one way). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Column names as Prisma generates them, in the order of the schema. */
const deliveryScalars = Object.values(Prisma.DeliveryScalarFieldEnum);
const attemptScalars = Object.values(Prisma.DeliveryAttemptScalarFieldEnum);

/** The column list of `INSERT INTO "<table>" (…)` in the batch statement. */
function insertedColumns(table: string): string[] {
  const list = new RegExp(`INSERT INTO "${table}" \\(([^)]*)\\)`).exec(WRITE_BATCH)?.[1];
  assert.ok(list, `no INSERT INTO "${table}" in WRITE_BATCH`);
  return list.split(',').map((name) => name.trim().replace(/^"|"$/g, ''));
}

describe('one shape of a delivery row (prisma/schema.prisma)', () => {
  it('the record types are the generated models, and each typed list names exactly their columns', () => {
    const checks = {
      record: true satisfies Equals<DeliveryRecord, Delivery>,
      attempt: true satisfies Equals<keyof AttemptRecord, keyof DeliveryAttempt>,
      deliveryColumns: true satisfies Equals<keyof typeof DELIVERY_COLUMNS, keyof Delivery>,
      attemptColumns: true satisfies Equals<keyof typeof ATTEMPT_COLUMNS, keyof DeliveryAttempt>,
      deliveryFields: true satisfies Equals<keyof typeof DELIVERY_FIELDS, keyof Delivery>,
      attemptFields: true satisfies Equals<keyof typeof ATTEMPT_FIELDS, keyof DeliveryAttempt>,
    };
    assert.ok(Object.values(checks).every(Boolean));
  });

  it('the compiler refuses a copy that lags the schema (checked by tsc)', () => {
    const now = new Date();
    // A row without one of its columns, as src/webhooks/delivery-record.ts would build it after
    // a column is added to the schema and not to it.
    // @ts-expect-error redeliveryOf is missing
    const row: DeliveryRecord = {
      id: '0',
      createdAt: now,
      updatedAt: now,
      kind: 'message',
      stanzaType: null,
      stanzaId: 's',
      fromJid: 'a@b/c',
      senderBare: 'a@b',
      toJid: 'x.b',
      lang: null,
      xml: '<message/>',
      status: 'pending',
      attemptCount: 0,
      nextAttemptAt: now,
      finishedAt: null,
      outcome: null,
      replyXml: null,
    };
    const lagging = {
      row,
      // @ts-expect-error the batch statement's list without a column
      columns: { deliveryId: 'uuid', number: 'int' } satisfies Columns<AttemptRecord>,
      // @ts-expect-error a column read as a type its values do not have
      sqlType: { ...DELIVERY_COLUMNS, attemptCount: 'text' } satisfies Columns<DeliveryRecord>,
      // @ts-expect-error a column the GraphQL placement does not know
      unplaced: { ...DELIVERY_FIELDS, spare: 'spare' } satisfies Record<keyof DeliveryRecord, string | null>,
      // The `Delivery` object's fields without the one that shows `toJid` (`to`).
      // @ts-expect-error 'to' is missing
      fields: showingColumns(DELIVERY_FIELDS, (_t: unknown) => ({
        ...{ id: 0, createdAt: 0, updatedAt: 0, kind: 0, type: 0, stanzaId: 0, from: 0, xml: 0, status: 0 },
        ...{ attemptCount: 0, nextAttemptAt: 0, finishedAt: 0, outcome: 0, replyXml: 0, redeliveryOf: 0 },
        stanza: 0,
      })),
    };
    assert.equal(Object.keys(lagging).length, 5);
  });

  it('the batch statement inserts every column of both tables', () => {
    assert.deepEqual(Object.keys(DELIVERY_COLUMNS), deliveryScalars);
    assert.deepEqual(Object.keys(ATTEMPT_COLUMNS), attemptScalars);
    assert.deepEqual(insertedColumns('Delivery'), deliveryScalars);
    assert.deepEqual(insertedColumns('DeliveryAttempt'), attemptScalars);
  });

  it('GraphQL has the field each column is placed in', () => {
    const objects = { Delivery: DELIVERY_FIELDS, DeliveryAttempt: ATTEMPT_FIELDS };
    for (const [name, placement] of Object.entries(objects)) {
      const type = schema.getType(name);
      assert.ok(type && 'getFields' in type, name);
      const fields = Object.keys(type.getFields());
      for (const field of Object.values(placement)) if (field !== null) assert.ok(fields.includes(field), field);
    }
  });
});
