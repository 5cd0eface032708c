import type { DeliveryStatus } from '../../generated/graphql.ts';
import { hrefs } from '../router.ts';
import type { ListFilter } from './delivery-rows.ts';

/**
 * Filters live in the URL (#/deliveries?status=FAILED&from=…), so a filtered view can be
 * bookmarked and shared. Times are the browser's local time, as the inputs show them.
 */
const STATUSES: DeliveryStatus[] = ['PENDING', 'DELIVERED', 'FAILED'];

export function filterOf(params: URLSearchParams): ListFilter {
  const status = params.get('status');
  const time = (name: string) => {
    const value = params.get(name);
    const parsed = value ? new Date(value) : null;
    return parsed && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : undefined;
  };
  return {
    status: STATUSES.find((known) => known === status),
    from: params.get('from')?.trim() || undefined,
    since: time('since'),
    until: time('until'),
  };
}

export function DeliveryFilters({ params }: { params: URLSearchParams }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const name of ['status', 'from', 'since', 'until']) {
      const value = form.get(name);
      if (typeof value === 'string' && value.trim()) next.set(name, value.trim());
    }
    location.hash = hrefs.deliveries(next);
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Filter deliveries">
      <div>
        <label for="filter-status">Status</label>
        <select id="filter-status" name="status" value={params.get('status') ?? ''}>
          <option value="">Any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status.charAt(0) + status.slice(1).toLowerCase()}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="filter-from">Sender</label>
        <input
          id="filter-from"
          name="from"
          type="text"
          placeholder="alice@example.net"
          aria-describedby="filter-from-help"
          value={params.get('from') ?? ''}
        />
        <span id="filter-from-help" class="hint">
          A bare JID matches all its resources.
        </span>
      </div>
      <div>
        <label for="filter-since">From (local time)</label>
        <input id="filter-since" name="since" type="datetime-local" step="1" value={params.get('since') ?? ''} />
      </div>
      <div>
        <label for="filter-until">Until (local time)</label>
        <input id="filter-until" name="until" type="datetime-local" step="1" value={params.get('until') ?? ''} />
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <a href={hrefs.deliveries()} class="button secondary">
          Clear
        </a>
      </div>
    </form>
  );
}
