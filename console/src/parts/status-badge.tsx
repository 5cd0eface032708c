import type { DeliveryStatus } from '../../generated/graphql.ts';

const LABELS: Record<DeliveryStatus, string> = { PENDING: 'Pending', DELIVERED: 'Delivered', FAILED: 'Failed' };

/** Text first (colour is a second cue only). */
export function StatusBadge({ status }: { status: DeliveryStatus }) {
  return <span class={`badge ${status.toLowerCase()}`}>{LABELS[status]}</span>;
}
