import type {
  AttemptDetailFragment,
  DeliveryPageQuery,
  DeliverySummaryFragment,
  DeliveryUpdatesSubscription,
} from '../../generated/graphql.ts';

/** One line of the deliveries list, from a page or from a live event. */
export type Row = DeliverySummaryFragment & {
  /** The HTTP status of the last attempt, null when it got none (connect error, timeout). */
  lastStatus: number | null;
  lastError: string | null;
  /** Arrived live while this page was open. */
  fresh: boolean;
};

export interface ListFilter {
  status?: DeliverySummaryFragment['status'];
  from?: string;
  since?: string;
  until?: string;
}

type PageNode = DeliveryPageQuery['deliveries']['edges'][number]['node'];

export function rowOfPage(node: PageNode): Row {
  const { attempts, ...summary } = node;
  const last = attempts.at(-1);
  return { ...summary, lastStatus: last?.httpStatus ?? null, lastError: null, fresh: false };
}

function lastOf(attempt: AttemptDetailFragment | null | undefined, row?: Row) {
  if (!attempt) return { lastStatus: row?.lastStatus ?? null, lastError: row?.lastError ?? null };
  return { lastStatus: attempt.httpStatus, lastError: attempt.errorKind };
}

const newestFirst = (a: Row, b: Row) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

function matches(delivery: DeliverySummaryFragment, filter: ListFilter): boolean {
  if (filter.status && delivery.status !== filter.status) return false;
  if (filter.since && delivery.createdAt < filter.since) return false;
  if (filter.until && delivery.createdAt >= filter.until) return false;
  return true;
}

/**
 * Folds a live event into the rows shown. A row shown is updated in place (even if it no longer
 * matches the status filter: it does not vanish under the reader). A new delivery that matches
 * joins the first page in order, which keeps its size.
 */
export function applyEvent(
  rows: Row[],
  event: DeliveryUpdatesSubscription['deliveries'],
  filter: ListFilter,
  firstPage: { size: number } | null,
): Row[] {
  const { delivery, attempt } = event;
  const at = rows.findIndex((row) => row.id === delivery.id);
  if (at !== -1) {
    const updated = rows.slice();
    const row = rows[at]!;
    updated[at] = { ...row, ...delivery, ...lastOf(attempt, row) };
    return updated;
  }
  if (!firstPage || !matches(delivery, filter)) return rows;
  const oldest = rows.at(-1);
  if (rows.length >= firstPage.size && oldest && newestFirst({ ...delivery } as Row, oldest) > 0) return rows;
  const added: Row = { ...delivery, ...lastOf(attempt), fresh: true };
  return [...rows, added].sort(newestFirst).slice(0, firstPage.size);
}
