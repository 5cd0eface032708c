import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { AttemptRecord, DeliveryPatch, DeliveryRecord } from './records.ts';

/** `stored`: committed; `deferred`: not now (database down or slow), still queued; `dropped`: lost to the buffer bound. */
export type InsertAck = 'stored' | 'deferred' | 'dropped';

/** One queued write of the LogWriter. */
export type LogOp =
  | { kind: 'insert'; row: DeliveryRecord; ack: (result: InsertAck) => void }
  | { kind: 'attempt'; row: AttemptRecord }
  | { kind: 'update'; id: string; patch: DeliveryPatch };

/**
 * One batch of delivery-log writes as at most three SQL statements, whatever its size: the new
 * deliveries, the new attempts, the changed deliveries. Each carries its rows as one JSON
 * parameter (jsonb_to_recordset / jsonb_array_elements): measured in the benchmark, one Prisma
 * call per changed row (updateMany) cost more CPU than the webhook POSTs themselves, and JSON
 * is the one parameter type both adapters (pg, PGlite) pass through unchanged — PGlite's
 * adapter mangles arrays of enums. Statements are idempotent (ON CONFLICT DO NOTHING, plain
 * SETs), so a batch cut short by an outage is simply applied again. No interactive
 * transactions (prisma/orm#30374).
 */
export interface LogBatch {
  inserts: DeliveryRecord[];
  attempts: AttemptRecord[];
  updates: Map<string, DeliveryPatch>;
}

const INSERT_DELIVERIES = `
  INSERT INTO "Delivery" ("id", "createdAt", "updatedAt", "kind", "stanzaType", "stanzaId", "fromJid", "senderBare",
    "toJid", "lang", "xml", "status", "attemptCount", "nextAttemptAt", "finishedAt", "outcome", "replyXml", "redeliveryOf")
  SELECT "id", "createdAt", "updatedAt", "kind", "stanzaType", "stanzaId", "fromJid", "senderBare",
    "toJid", "lang", "xml", "status", "attemptCount", "nextAttemptAt", "finishedAt", "outcome", "replyXml", "redeliveryOf"
  FROM jsonb_to_recordset($1::jsonb) AS v("id" uuid, "createdAt" timestamptz, "updatedAt" timestamptz, "kind" "StanzaKind",
    "stanzaType" text, "stanzaId" text, "fromJid" text, "senderBare" text, "toJid" text, "lang" text, "xml" text,
    "status" "DeliveryStatus", "attemptCount" int, "nextAttemptAt" timestamptz, "finishedAt" timestamptz, "outcome" text,
    "replyXml" text, "redeliveryOf" uuid)
  ON CONFLICT DO NOTHING`;

const INSERT_ATTEMPTS = `
  INSERT INTO "DeliveryAttempt" ("deliveryId", "number", "startedAt", "durationMs", "httpStatus", "responseHeaders",
    "responseExcerpt", "responseTruncated", "errorKind", "errorText")
  SELECT "deliveryId", "number", "startedAt", "durationMs", "httpStatus", "responseHeaders",
    "responseExcerpt", "responseTruncated", "errorKind", "errorText"
  FROM jsonb_to_recordset($1::jsonb) AS v("deliveryId" uuid, "number" int, "startedAt" timestamptz, "durationMs" int,
    "httpStatus" int, "responseHeaders" jsonb, "responseExcerpt" text, "responseTruncated" boolean, "errorKind" text,
    "errorText" text)
  ON CONFLICT DO NOTHING`;

/** A patch sets only the columns it names (a named null clears one): hence `?` per column. */
const column = (name: string, type: string) =>
  `"${name}" = CASE WHEN v.p ? '${name}' THEN (v.p->>'${name}')::${type} ELSE d."${name}" END`;

const UPDATE_DELIVERIES = `
  UPDATE "Delivery" AS d SET ${[
    column('status', '"DeliveryStatus"'),
    column('attemptCount', 'int'),
    column('nextAttemptAt', 'timestamptz'),
    column('finishedAt', 'timestamptz'),
    column('outcome', 'text'),
    column('replyXml', 'text'),
    column('updatedAt', 'timestamptz'),
  ].join(', ')}
  FROM jsonb_array_elements($1::jsonb) AS v(p)
  WHERE d."id" = (v.p->>'id')::uuid`;

/** Writes the new deliveries; resolves once they are committed (the dispatcher waits for that). */
export async function insertDeliveries(prisma: PrismaClient, rows: DeliveryRecord[]): Promise<void> {
  if (rows.length > 0) await prisma.$executeRawUnsafe(INSERT_DELIVERIES, JSON.stringify(rows));
}

/** Attempts, then changes: a delivery's attempt row and its patch land in its own order. */
export async function writeChanges(prisma: PrismaClient, batch: Omit<LogBatch, 'inserts'>): Promise<void> {
  if (batch.attempts.length > 0) await prisma.$executeRawUnsafe(INSERT_ATTEMPTS, JSON.stringify(batch.attempts));
  if (batch.updates.size > 0) {
    const patches = [...batch.updates].map(([id, patch]) => ({ ...patch, id }));
    await prisma.$executeRawUnsafe(UPDATE_DELIVERIES, JSON.stringify(patches));
  }
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
export function insertAck(waitMs: number): { ack: (result: InsertAck) => void; first: Promise<InsertAck>; final: Promise<InsertAck> } {
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
