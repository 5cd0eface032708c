import { useEffect, useMemo, useState } from 'preact/hooks';
import { DeliveryPageDocument, DeliveryUpdatesDocument } from '../../generated/graphql.ts';
import { RequestError, useApi } from '../api/api.ts';
import { useReconnects } from '../api/use-reconnects.ts';
import { applyEvent, type Row, rowOfPage } from './delivery-rows.ts';
import { DeliveryFilters, filterOf } from './delivery-filters.tsx';
import { DeliveryTable } from './delivery-table.tsx';

const PAGE_SIZE = 25;

/**
 * The delivery log, newest first, a page at a time (Relay cursors: a page never shifts when new
 * deliveries arrive). Live events update the rows shown and, on the first page, add new ones.
 */
export function DeliveriesView({ params }: { params: URLSearchParams }) {
  const api = useApi();
  const key = params.toString();
  const filter = useMemo(() => filterOf(params), [key]);
  // The cursors of the pages before this one; [] is the first page.
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<{ rows: Row[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reconnects = useReconnects();
  const [liveError, setLiveError] = useState<string | null>(null);
  const [arrived, setArrived] = useState(0);
  useEffect(() => setCursors([]), [key]);

  const after = cursors.at(-1);
  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    api
      .query(DeliveryPageDocument, { first: PAGE_SIZE, after: after ?? null, filter }, abort.signal)
      .then(({ deliveries }) =>
        setPage({
          rows: deliveries.edges.map((edge) => rowOfPage(edge.node)),
          next: deliveries.pageInfo.hasNextPage ? deliveries.pageInfo.endCursor : null,
        }),
      )
      .catch((failure: unknown) => {
        if (abort.signal.aborted) return;
        setError(
          failure instanceof RequestError && failure.code === 'DELIVERY_LOG_OFF'
            ? 'There is no delivery log: the gateway has no webhook (CALLBACK_URL is not set).'
            : failure instanceof Error
              ? failure.message
              : String(failure),
        );
      });
    return () => abort.abort();
  }, [api, filter, after, reconnects]);

  const firstPage = cursors.length === 0;
  useEffect(() => {
    setLiveError(null);
    return api.subscribe(
      DeliveryUpdatesDocument,
      { filter: filter.from ? { from: filter.from } : null },
      {
        next: ({ deliveries }) => {
          setPage((current) => {
            if (!current) return current;
            const rows = applyEvent(current.rows, deliveries, filter, firstPage ? { size: PAGE_SIZE } : null);
            return rows === current.rows ? current : { ...current, rows };
          });
          // The event of a delivery's acceptance (no attempt yet) announces an arrival.
          if (firstPage && !deliveries.attempt && deliveries.delivery.attemptCount === 0)
            setArrived((count) => count + 1);
        },
        error: (message) => setLiveError(`Live updates stopped: ${message} Reload the page to resume.`),
      },
    );
  }, [api, filter, firstPage]);

  return (
    <>
      <h1 tabIndex={-1}>Deliveries</h1>
      <DeliveryFilters params={params} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {liveError && !error && (
        <p class="error" role="alert">
          {liveError}
        </p>
      )}
      <p class="visually-hidden" aria-live="polite">
        {arrived > 0 ? `${arrived} new ${arrived === 1 ? 'delivery' : 'deliveries'} arrived` : ''}
      </p>
      {page ? <DeliveryTable rows={page.rows} /> : !error && <p aria-busy="true">Loading…</p>}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={firstPage} onClick={() => setCursors([])}>
          Newest
        </button>
        <button type="button" disabled={firstPage} onClick={() => setCursors((list) => list.slice(0, -1))}>
          Newer page
        </button>
        <button
          type="button"
          disabled={!page?.next}
          onClick={() => {
            const next = page?.next;
            if (next) setCursors((list) => [...list, next]);
          }}
        >
          Older page
        </button>
      </nav>
    </>
  );
}
