import type { PrismaClient } from '../../generated/prisma/client.ts';
import { ATTEMPT_COLUMNS, columnNames, DELIVERY_COLUMNS, MUTABLE_COLUMNS, recordDefinition } from './log-columns.ts';
import type { AttemptRecord, DeliveryPatch, DeliveryRecord } from './records.ts';

/**
 * `stored`: committed; `deferred`: not now (database down or slow), still queued; `dropped`: lost
 * to the buffer bound.
 */
export type InsertAck = 'stored' | 'deferred' | 'dropped';

/** One queued write of the LogWriter. */
export type LogOp =
  | { kind: 'insert'; row: DeliveryRecord; ack: (result: InsertAck) => void }
  | { kind: 'attempt'; row: AttemptRecord }
  | { kind: 'update'; id: string; patch: DeliveryPatch };

/**
 * One batch of delivery-log writes as one SQL statement, whatever its size: the new deliveries,
 * the new attempts and the changed deliveries, each set of rows as one JSON parameter
 * (jsonb_to_recordset / jsonb_array_elements) of a statement with two data-modifying CTEs.
 * Measured: one Prisma call per changed row (updateMany) cost more CPU than the webhook POSTs
 * themselves; and in the steady state of a busy gateway (each batch: a few new deliveries, the
 * attempts and outcomes of earlier ones) one statement — one commit, one WAL flush — wrote
 * 1.5–3× as many deliveries/s on Postgres as three statements, and as many or more on PGlite.
 * JSON is the one parameter type both adapters (pg, PGlite) pass through unchanged — PGlite's
 * adapter mangles arrays of enums. One statement is one transaction: a batch is written whole or
 * not at all, and written again after an outage. No interactive transactions (prisma/orm#30374).
 */
export interface LogBatch {
  inserts: DeliveryRecord[];
  attempts: AttemptRecord[];
  updates: Map<string, DeliveryPatch>;
}

/** A patch sets only the columns it names (a named null clears one): hence `?` per column. */
const patched = (name: (typeof MUTABLE_COLUMNS)[number]) =>
  `"${name}" = CASE WHEN v.p ? '${name}' THEN (v.p->>'${name}')::${DELIVERY_COLUMNS[name]} ELSE d."${name}" END`;

// The column lists are generated from the typed lists of src/db/log-columns.ts, so that a column
// added to prisma/schema.prisma does not compile until the statement writes it too.
// The UPDATE does not see rows inserted by the CTEs of the same statement: toBatch folds a
// patch of a delivery inserted in the same batch into its row. The foreign key of an attempt
// on a delivery inserted by the same statement is checked at its end, and holds.
export const WRITE_BATCH = `
  WITH new_deliveries AS (
    INSERT INTO "Delivery" (${columnNames(DELIVERY_COLUMNS)})
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(${recordDefinition(DELIVERY_COLUMNS)})
    -- Written again (after a failure), a row carries state at least as new as the stored one.
    ON CONFLICT ("id") DO UPDATE SET ${MUTABLE_COLUMNS.map((name) => `"${name}" = EXCLUDED."${name}"`).join(', ')}
  ), new_attempts AS (
    INSERT INTO "DeliveryAttempt" (${columnNames(ATTEMPT_COLUMNS)})
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS v(${recordDefinition(ATTEMPT_COLUMNS)})
    ON CONFLICT DO NOTHING
  )
  UPDATE "Delivery" AS d SET ${MUTABLE_COLUMNS.map(patched).join(', ')}
  FROM jsonb_array_elements($3::jsonb) AS v(p)
  WHERE d."id" = (v.p->>'id')::uuid`;

/** Writes a batch; resolves once it is committed. */
export async function writeBatch(prisma: PrismaClient, batch: LogBatch): Promise<void> {
  const patches = [...batch.updates].map(([id, patch]) => ({ ...patch, id }));
  await prisma.$executeRawUnsafe(
    WRITE_BATCH,
    JSON.stringify(batch.inserts),
    JSON.stringify(batch.attempts),
    JSON.stringify(patches),
  );
}

/**
 * Groups a run of ops by statement. A patch of a delivery inserted in the same batch is folded
 * into its row (one write instead of two: what a backlog written after an outage is made of);
 * later patches of one delivery win, as they would applied one by one.
 */
export function toBatch(ops: LogOp[]): LogBatch {
  const inserts = new Map<string, DeliveryRecord>();
  const attempts: AttemptRecord[] = [];
  const updates = new Map<string, DeliveryPatch>();
  for (const op of ops) {
    if (op.kind === 'insert') inserts.set(op.row.id, op.row);
    else if (op.kind === 'attempt') attempts.push(op.row);
    else {
      const inserted = inserts.get(op.id);
      if (inserted) inserts.set(op.id, { ...inserted, ...op.patch });
      else updates.set(op.id, { ...updates.get(op.id), ...op.patch });
    }
  }
  return { inserts: [...inserts.values()], attempts, updates };
}

/**
 * The two answers to an insert: `first` as soon as anything is known (stored, or deferred after
 * `waitMs` or when the database is down: deliveries do not wait longer for their rows), `final`
 * once the row is committed or lost, however long an outage lasts.
 */
export function insertAck(waitMs: number): {
  ack: (result: InsertAck) => void;
  first: Promise<InsertAck>;
  final: Promise<InsertAck>;
} {
  let answerFirst!: (result: InsertAck) => void;
  let answerFinal!: (result: InsertAck) => void;
  const first = new Promise<InsertAck>((resolve) => (answerFirst = resolve));
  const final = new Promise<InsertAck>((resolve) => (answerFinal = resolve));
  let answered = false;
  const ack = (result: InsertAck) => {
    if (!answered) {
      answered = true;
      clearTimeout(timer);
      answerFirst(result);
    }
    if (result !== 'deferred') answerFinal(result);
  };
  const timer = setTimeout(() => ack('deferred'), waitMs);
  timer.unref();
  return { ack, first, final };
}
