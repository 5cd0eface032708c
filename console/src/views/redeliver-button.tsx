import { useState } from 'preact/hooks';
import { RedeliverDocument, type DeliverySummaryFragment } from '../../generated/graphql.ts';
import { useApi } from '../api/api.ts';
import { hrefs } from '../router.ts';
import { StatusBadge } from '../parts/status-badge.tsx';

/**
 * Redeliver: a new delivery of the same stanza. Its outcome shows when it comes, fed by the
 * delivery page's live events (`copy`, kept up to date by the parent).
 */
export type Redelivery =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'failed'; message: string }
  | { state: 'sent'; copy: DeliverySummaryFragment };

export function RedeliverButton({
  id,
  redelivery,
  update,
}: {
  id: string;
  redelivery: Redelivery;
  update: (next: Redelivery) => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const redeliver = async () => {
    setBusy(true);
    update({ state: 'sending' });
    try {
      const { redeliver: result } = await api.query(RedeliverDocument, { id });
      if (result.__typename === 'RedeliverSuccess') update({ state: 'sent', copy: result.delivery });
      else update({ state: 'failed', message: 'message' in result ? result.message : 'Refused.' });
    } catch (failure) {
      update({ state: 'failed', message: failure instanceof Error ? failure.message : String(failure) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="redeliver">
      <button type="button" onClick={() => void redeliver()} disabled={busy}>
        Redeliver
      </button>
      <p role="status" class="outcome">
        <Outcome redelivery={redelivery} />
      </p>
    </div>
  );
}

function Outcome({ redelivery }: { redelivery: Redelivery }) {
  switch (redelivery.state) {
    case 'idle':
      return null;
    case 'sending':
      return <>Redelivering…</>;
    case 'failed':
      return <span class="error">Redeliver refused: {redelivery.message}</span>;
    case 'sent': {
      const { copy } = redelivery;
      return (
        <>
          Redelivered as <a href={hrefs.delivery(copy.id)}>a new delivery</a>: <StatusBadge status={copy.status} />
          {copy.status === 'PENDING'
            ? ` (attempt ${copy.attemptCount} so far)`
            : ` — ${copy.outcome ?? ''} after ${copy.attemptCount} ${copy.attemptCount === 1 ? 'attempt' : 'attempts'}`}
        </>
      );
    }
  }
}
