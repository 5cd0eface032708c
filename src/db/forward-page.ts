/**
 * One page of a Relay connection paged forward (newest first) in SQL: the delivery log's and the
 * inbound journal's. The query reads one row more than `take`; that row only says a next page
 * exists.
 */
export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface ForwardPage<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

export function forwardPage<T>(
  rows: readonly T[],
  take: number,
  after: unknown,
  cursorOf: (node: T) => string,
): ForwardPage<T> {
  const edges = rows.slice(0, take).map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > take,
      // Paging forward, rows before `after` exist by construction (unless pruned since).
      hasPreviousPage: after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
