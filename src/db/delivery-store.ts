import { GatewayError } from '../errors/gateway-error.ts';
import type { DeliveryAttempt, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { decodeCursor, encodeCursor, UUID_PATTERN } from './cursor.ts';
import { type Edge, type ForwardPage, forwardPage } from './forward-page.ts';
import type { AttemptRecord, DeliveryFilter, DeliveryRecord } from './records.ts';

/**
 * The reads of the delivery log (lists, one delivery with its attempts, what to resume) and
 * retention pruning. Writes go through the LogWriter, which survives outages; reads cannot
 * and fail with `database-unavailable`.
 */
export type DeliveryEdge = Edge<DeliveryRecord>;
export type DeliveryConnection = ForwardPage<DeliveryRecord>;

export interface DeliveryWithAttempts extends DeliveryRecord {
  attempts: AttemptRecord[];
}

export interface ListArgs {
  first?: number;
  after?: string;
  filter?: DeliveryFilter;
}

/**
 * What the store matches a sender against: the normalised bare JID (every resource) or the
 * full one. JIDs are parsed above this layer (src/db knows no XMPP).
 */
export type SenderMatch = { bare: string } | { full: string };

export type StoreListArgs = Omit<ListArgs, 'filter'> & {
  filter?: Omit<DeliveryFilter, 'from'> & { sender?: SenderMatch };
};

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;
const PRUNE_BATCH = 1000;

export class DeliveryStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** Newest first; `after` is a cursor from an earlier page. */
  async list({ first = DEFAULT_PAGE, after, filter = {} }: StoreListArgs): Promise<DeliveryConnection> {
    const take = Math.max(1, Math.min(MAX_PAGE, Math.trunc(first)));
    const where: Prisma.DeliveryWhereInput[] = [filterWhere(filter)];
    if (after !== undefined) {
      const position = decodeCursor(after);
      where.push({
        OR: [{ createdAt: { lt: position.createdAt } }, { createdAt: position.createdAt, id: { lt: position.id } }],
      });
    }
    const rows = await read(() =>
      this.prisma.delivery.findMany({
        where: { AND: where },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: take + 1,
      }),
    );
    return forwardPage(rows, take, after, encodeCursor);
  }

  async get(id: string): Promise<DeliveryWithAttempts | undefined> {
    if (!UUID_PATTERN.test(id)) return undefined;
    const row = await read(() =>
      this.prisma.delivery.findUnique({ where: { id }, include: { attempts: { orderBy: { number: 'asc' } } } }),
    );
    if (!row) return undefined;
    return { ...row, attempts: row.attempts.map(attemptOf) };
  }

  /**
   * The attempts of many deliveries (oldest first each) in one query, for a page of the log
   * read with its attempts. Keyed by id in lower case (as Postgres prints a uuid); ids with
   * none, unknown ones included, map to an empty list.
   */
  async attemptsFor(ids: readonly string[]): Promise<Map<string, AttemptRecord[]>> {
    const wanted = [...new Set(ids)].filter((id) => UUID_PATTERN.test(id));
    const byDelivery = new Map(wanted.map((id) => [id.toLowerCase(), [] as AttemptRecord[]]));
    if (wanted.length === 0) return byDelivery;
    const rows = await read(() =>
      this.prisma.deliveryAttempt.findMany({
        where: { deliveryId: { in: wanted } },
        orderBy: [{ deliveryId: 'asc' }, { number: 'asc' }],
      }),
    );
    for (const row of rows) byDelivery.get(row.deliveryId)?.push(attemptOf(row));
    return byDelivery;
  }

  /**
   * Pending deliveries from `position` on (that row itself only when `inclusive`; from the start
   * when undefined), oldest first, at most `limit`: what an earlier run left, and what this one
   * kept only as rows (past WEBHOOK_QUEUE_MAX). The order is the order of arrival, so lanes keep it.
   */
  pendingAfter(
    position: { createdAt: Date; id: string; inclusive: boolean } | undefined,
    limit: number,
  ): Promise<DeliveryRecord[]> {
    const sameMs = position?.inclusive ? { gte: position.id } : { gt: position?.id };
    const after = position
      ? { OR: [{ createdAt: { gt: position.createdAt } }, { createdAt: position.createdAt, id: sameMs }] }
      : {};
    return read(() =>
      this.prisma.delivery.findMany({
        where: { status: 'pending', ...after },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      }),
    );
  }

  /** Deletes finished deliveries (and their attempts) created before `cutoff`; returns how many. */
  async prune(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      // In batches: one huge DELETE would hold locks and bloat the WAL for its whole run.
      const deleted = await this.prisma.$executeRaw`
        DELETE FROM "Delivery" WHERE "id" IN (
          SELECT "id" FROM "Delivery" WHERE "createdAt" < ${cutoff} AND "status" <> 'pending' LIMIT ${PRUNE_BATCH})`;
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  }
}

function filterWhere(filter: NonNullable<StoreListArgs['filter']>): Prisma.DeliveryWhereInput {
  const where: Prisma.DeliveryWhereInput = {};
  if (filter.status) where.status = filter.status;
  if (filter.kind) where.kind = filter.kind;
  if (filter.sender && 'bare' in filter.sender) where.senderBare = filter.sender.bare;
  if (filter.sender && 'full' in filter.sender) where.fromJid = filter.sender.full;
  if (filter.since || filter.until) where.createdAt = { gte: filter.since, lt: filter.until };
  return where;
}

function attemptOf(row: DeliveryAttempt): AttemptRecord {
  return { ...row, responseHeaders: headersOf(row.responseHeaders) };
}

function headersOf(value: Prisma.JsonValue | null): Record<string, string> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

async function read<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    throw new GatewayError('database-unavailable', { cause: error });
  }
}
