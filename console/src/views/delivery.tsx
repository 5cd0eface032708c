import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type AttemptDetailFragment,
  DeliveryDetailDocument,
  type DeliveryDetailQuery,
  type DeliverySummaryFragment,
  DeliveryUpdatesDocument,
} from '../../generated/graphql.ts';
import { useApi } from '../api/api.ts';
import { useReconnects } from '../api/use-reconnects.ts';
import { hrefs } from '../router.ts';
import { StatusBadge } from '../parts/status-badge.tsx';
import { clock } from '../parts/time.ts';
import { XmlBlock } from '../parts/xml-block.tsx';
import { AttemptList } from './attempt-list.tsx';
import { type Redelivery, RedeliverButton } from './redeliver-button.tsx';

type Detail = NonNullable<DeliveryDetailQuery['delivery']>;

function withEvent(detail: Detail, delivery: DeliverySummaryFragment, attempt: AttemptDetailFragment | null): Detail {
  const known = attempt && detail.attempts.some((existing) => existing.number === attempt.number);
  return { ...detail, ...delivery, attempts: attempt && !known ? [...detail.attempts, attempt] : detail.attempts };
}

/** One delivery: what it is, the stanza, every attempt, live, and redeliver. */
export function DeliveryView({ id }: { id: string }) {
  const api = useApi();
  const [detail, setDetail] = useState<Detail | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [redelivery, setRedelivery] = useState<Redelivery>({ state: 'idle' });
  // The newest state seen live of every delivery of this sender: a redelivered copy may end
  // before the mutation's own answer arrives.
  const latest = useRef(new Map<string, DeliverySummaryFragment>());
  const reconnects = useReconnects();

  useEffect(() => {
    const abort = new AbortController();
    api
      .query(DeliveryDetailDocument, { id }, abort.signal)
      .then(({ delivery }) => setDetail(delivery))
      .catch((failure: unknown) => {
        if (!abort.signal.aborted) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => abort.abort();
  }, [api, id, reconnects]);

  const from = detail?.from;
  useEffect(() => {
    if (!from) return;
    return api.subscribe(
      DeliveryUpdatesDocument,
      { filter: { from } },
      {
        next: ({ deliveries: { delivery, attempt } }) => {
          latest.current.set(delivery.id, delivery);
          if (delivery.id === id) setDetail((current) => current && withEvent(current, delivery, attempt));
          setRedelivery((current) =>
            current.state === 'sent' && current.copy.id === delivery.id ? { state: 'sent', copy: delivery } : current,
          );
        },
        error: (message) => setError(`Live updates stopped: ${message}`),
      },
    );
  }, [api, from, id]);

  // A copy still pending is also read back now and then, should a live event have been missed.
  const pendingCopy = redelivery.state === 'sent' && redelivery.copy.status === 'PENDING' ? redelivery.copy.id : null;
  useEffect(() => {
    if (!pendingCopy) return;
    const timer = setInterval(() => {
      void api.query(DeliveryDetailDocument, { id: pendingCopy }).then(({ delivery }) => {
        if (delivery && delivery.status !== 'PENDING') setRedelivery({ state: 'sent', copy: delivery });
      });
    }, 2000);
    return () => clearInterval(timer);
  }, [api, pendingCopy]);

  const updateRedelivery = (next: Redelivery) => {
    const seen = next.state === 'sent' ? latest.current.get(next.copy.id) : undefined;
    setRedelivery(seen && next.state === 'sent' && seen.status !== 'PENDING' ? { state: 'sent', copy: seen } : next);
  };

  if (error && !detail) {
    return (
      <>
        <h1 tabIndex={-1}>Delivery</h1>
        <p class="error" role="alert">
          {error}
        </p>
      </>
    );
  }
  if (detail === undefined) return <p aria-busy="true">Loading…</p>;
  if (detail === null) {
    return (
      <>
        <h1 tabIndex={-1}>Delivery not found</h1>
        <p>
          No delivery has the id <code>{id}</code> (it may have been pruned).{' '}
          <a href={hrefs.deliveries()}>Back to the deliveries.</a>
        </p>
      </>
    );
  }
  return (
    <>
      <p>
        <a href={hrefs.deliveries()}>← Deliveries</a>
      </p>
      <h1 tabIndex={-1}>
        {detail.kind.toLowerCase()} from {detail.from} <StatusBadge status={detail.status} />
      </h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <dl class="facts">
        <dt>Recipient</dt>
        <dd>{detail.to}</dd>
        <dt>Received</dt>
        <dd>
          <time dateTime={detail.createdAt}>{clock(detail.createdAt)}</time>
        </dd>
        <dt>Outcome</dt>
        <dd>
          {detail.outcome ?? (detail.nextAttemptAt ? `next attempt ${clock(detail.nextAttemptAt)}` : 'in progress')}
        </dd>
        <dt>Attempts</dt>
        <dd>{detail.attemptCount}</dd>
        <dt>Delivery id</dt>
        <dd>
          <code>{detail.id}</code> (the <code>webhook-id</code> header)
        </dd>
        {detail.redeliveryOf && (
          <>
            <dt>Redelivery of</dt>
            <dd>
              <a href={hrefs.delivery(detail.redeliveryOf)}>{detail.redeliveryOf}</a>
            </dd>
          </>
        )}
      </dl>
      <RedeliverButton id={detail.id} redelivery={redelivery} update={updateRedelivery} />
      <h2>Stanza</h2>
      <XmlBlock xml={detail.xml} label="The stanza as POSTed" />
      {detail.replyXml && (
        <>
          <h2>Reply sent back</h2>
          <XmlBlock xml={detail.replyXml} label="The reply sent to the sender" />
        </>
      )}
      <h2>Attempts</h2>
      <AttemptList attempts={detail.attempts} />
    </>
  );
}
