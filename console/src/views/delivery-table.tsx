import { hrefs } from '../router.ts';
import { StatusBadge } from '../parts/status-badge.tsx';
import { age, clock, useNow } from '../parts/time.ts';
import type { Row } from './delivery-rows.ts';

/** The list itself: each row's first cell links to the delivery (the keyboard path to it). */
export function DeliveryTable({ rows }: { rows: Row[] }) {
  const now = useNow();
  if (rows.length === 0) return <p class="empty">No deliveries match.</p>;
  return (
    <table class="deliveries">
      <caption class="visually-hidden">Deliveries, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Received</th>
          <th scope="col">Status</th>
          <th scope="col">Sender</th>
          <th scope="col">Recipient</th>
          <th scope="col">Kind</th>
          <th scope="col" class="num">
            Attempts
          </th>
          <th scope="col" class="num">
            Last status
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} class={row.fresh ? 'fresh' : undefined}>
            <td>
              <a href={hrefs.delivery(row.id)} aria-label={`${age(row.createdAt, now)}, from ${row.from}`}>
                <time dateTime={row.createdAt} title={clock(row.createdAt)}>
                  {age(row.createdAt, now)}
                </time>
              </a>
            </td>
            <td>
              <StatusBadge status={row.status} />
            </td>
            <td class="jid">{row.from}</td>
            <td class="jid">{row.to}</td>
            <td>
              {row.kind.toLowerCase()}
              {row.type ? ` · ${row.type}` : ''}
            </td>
            <td class="num">{row.attemptCount}</td>
            <td class="num">{row.lastStatus ?? row.lastError ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
