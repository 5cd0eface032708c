import { GatewayError } from '../errors/gateway-error.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { type Edge, type ForwardPage, forwardPage } from './forward-page.ts';
import { decodeJournalCursor, encodeJournalCursor } from './journal-cursor.ts';
import type { JournalFilter, JournalRecord } from './journal-records.ts';

/**
 * The reads of the inbound journal and its pruning, for one component domain. Reads fail with
 * `database-unavailable` while the database is down (writes are buffered by the JournalWriter).
 */
export type JournalEdge = Edge<JournalRecord>;
export type JournalPage = ForwardPage<JournalRecord>;

export interface JournalMarks {
  /** The highest seq ever stored, pruned or reserved: the next stanza gets a larger one. */
  highest: number;
  /** Every seq up to this one is pruned (0: none). */
  prunedThrough: number;
}

export const JOURNAL_MAX_PAGE = 100;
const DEFAULT_PAGE = 20;
const PRUNE_BATCH = 1000;

interface RawRow {
  seq: bigint | number | string;
  receivedAt: Date | string;
  kind: JournalRecord['kind'];
  stanzaType: string | null;
  fromJid: string;
  senderBare: string;
  toJid: string;
  xml: string;
}

const COLUMNS = `"seq", "receivedAt", "kind"::text AS "kind", "stanzaType", "fromJid", "senderBare", "toJid", "xml"`;

export class JournalStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly domain: string,
  ) {}

  async marks(): Promise<JournalMarks> {
    const [row] = await read(() =>
      this.prisma.$queryRawUnsafe<{ highest: unknown; pruned: unknown; reserved: unknown }[]>(
        `SELECT (SELECT max("seq") FROM "InboundStanza" WHERE "domain" = $1) AS highest,
                (SELECT "prunedThrough" FROM "JournalMark" WHERE "domain" = $1) AS pruned,
                (SELECT "reservedThrough" FROM "JournalMark" WHERE "domain" = $1) AS reserved`,
        this.domain,
      ),
    );
    const prunedThrough = Number(row?.pruned ?? 0);
    const highest = Math.max(Number(row?.highest ?? 0), prunedThrough, Number(row?.reserved ?? 0));
    return { highest, prunedThrough };
  }

  /** Records that numbers up to `through` may be given out (never lowers the mark). */
  async reserve(through: number): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      `INSERT INTO "JournalMark" ("domain", "reservedThrough") VALUES ($1, $2)
       ON CONFLICT ("domain") DO UPDATE
         SET "reservedThrough" = GREATEST("JournalMark"."reservedThrough", EXCLUDED."reservedThrough")`,
      this.domain,
      through,
    );
  }

  /** Rows with afterSeq < seq < beforeSeq, oldest first, at most `limit`: a replay's page. */
  async between(afterSeq: number, beforeSeq: number, limit: number): Promise<JournalRecord[]> {
    const rows = await read(() =>
      this.prisma.$queryRawUnsafe<RawRow[]>(
        `SELECT ${COLUMNS} FROM "InboundStanza"
         WHERE "domain" = $1 AND "seq" > $2 AND "seq" < $3 ORDER BY "seq" LIMIT $4`,
        this.domain,
        afterSeq,
        beforeSeq,
        limit,
      ),
    );
    return rows.map(recordOf);
  }

  /** Newest first; `after` is a cursor of an earlier page (or any stanza's cursor). */
  async page({ first = DEFAULT_PAGE, after, filter = {} }: { first?: number; after?: string; filter?: JournalFilter }) {
    const take = Math.max(1, Math.min(JOURNAL_MAX_PAGE, Math.trunc(first)));
    const where = ['"domain" = $1'];
    const params: unknown[] = [this.domain];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (after !== undefined) where.push(`"seq" < ${param(decodeJournalCursor(after))}`);
    if (filter.kind) where.push(`"kind" = ${param(filter.kind)}::"StanzaKind"`);
    if (filter.sender && 'bare' in filter.sender) where.push(`"senderBare" = ${param(filter.sender.bare)}`);
    if (filter.sender && 'full' in filter.sender) where.push(`"fromJid" = ${param(filter.sender.full)}`);
    if (filter.since) where.push(`"receivedAt" >= ${param(filter.since)}`);
    if (filter.until) where.push(`"receivedAt" < ${param(filter.until)}`);
    const rows = await read(() =>
      this.prisma.$queryRawUnsafe<RawRow[]>(
        `SELECT ${COLUMNS} FROM "InboundStanza" WHERE ${where.join(' AND ')} ORDER BY "seq" DESC LIMIT ${take + 1}`,
        ...params,
      ),
    );
    return forwardPage(rows.map(recordOf), take, after, (node) => encodeJournalCursor(node.seq));
  }

  /**
   * Prunes the rows received before `cutoff`, as a prefix of the seq order (so what is left is
   * every row after `prunedThrough`); the mark is raised first, so that a cursor into the
   * pruned part is refused even while the delete is under way. Resolves with the rows removed
   * and the new mark.
   */
  async prune(cutoff: Date): Promise<{ removed: number; prunedThrough: number }> {
    const [found] = await this.prisma.$queryRawUnsafe<{ cut: unknown }[]>(
      `SELECT max("seq") AS cut FROM "InboundStanza" WHERE "domain" = $1 AND "receivedAt" < $2`,
      this.domain,
      cutoff,
    );
    const cut = Number(found?.cut ?? 0);
    if (cut === 0) return { removed: 0, prunedThrough: (await this.marks()).prunedThrough };
    const [mark] = await this.prisma.$queryRawUnsafe<{ pruned: unknown }[]>(
      `INSERT INTO "JournalMark" ("domain", "prunedThrough") VALUES ($1, $2)
       ON CONFLICT ("domain") DO UPDATE SET "prunedThrough" = GREATEST("JournalMark"."prunedThrough", EXCLUDED."prunedThrough")
       RETURNING "prunedThrough" AS pruned`,
      this.domain,
      cut,
    );
    let removed = 0;
    for (;;) {
      // In batches: one huge DELETE would hold locks and bloat the WAL for its whole run.
      const deleted = await this.prisma.$executeRawUnsafe(
        `DELETE FROM "InboundStanza" WHERE "domain" = $1 AND "seq" IN (
           SELECT "seq" FROM "InboundStanza" WHERE "domain" = $1 AND "seq" <= $2 ORDER BY "seq" LIMIT ${PRUNE_BATCH})`,
        this.domain,
        cut,
      );
      removed += deleted;
      if (deleted < PRUNE_BATCH) return { removed, prunedThrough: Number(mark?.pruned ?? cut) };
    }
  }
}

function recordOf(row: RawRow): JournalRecord {
  return { ...row, seq: Number(row.seq), receivedAt: new Date(row.receivedAt) };
}

async function read<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('database-unavailable', { cause: error });
  }
}
