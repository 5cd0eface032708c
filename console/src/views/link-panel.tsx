import type { LinkState } from '../../generated/graphql.ts';
import { clock, duration } from '../parts/time.ts';
import type { Status } from './use-status.ts';

const STATES: Record<LinkState, { label: string; tone: string }> = {
  IDLE: { label: 'Not started', tone: 'neutral' },
  CONNECTING: { label: 'Connecting', tone: 'warn' },
  CHECKING: { label: 'Checking the domain is free', tone: 'warn' },
  STANDBY: { label: 'Standby: another connection serves the domain', tone: 'warn' },
  ONLINE: { label: 'Online', tone: 'good' },
  WAITING: { label: 'Down, reconnecting', tone: 'bad' },
  FAILED: { label: 'Refused by the server', tone: 'bad' },
  STOPPED: { label: 'Stopped', tone: 'neutral' },
};

/** The XMPP link and the webhook face at a glance. */
export function LinkPanel({ status, error }: { status: Status | null; error: string | null }) {
  return (
    <section aria-labelledby="link-heading" class="panel">
      <h2 id="link-heading">Link</h2>
      {error && (
        <p class="error" role="alert">
          Cannot read the status: {error}
        </p>
      )}
      {status && <Facts status={status} />}
    </section>
  );
}

function Facts({ status }: { status: Status }) {
  const { link, webhooks } = status;
  const state = STATES[link.state];
  return (
    <>
      <p class="link-state">
        <span class={`badge ${state.tone}`} role="status" aria-label={`Link state: ${state.label}`}>
          {state.label}
        </span>{' '}
        since <time dateTime={link.since}>{clock(link.since)}</time>
        {link.retryAt && (
          <>
            {' '}
            — next attempt <time dateTime={link.retryAt}>{clock(link.retryAt)}</time>
          </>
        )}
      </p>
      {link.lastError && <p class="hint">Last error: {link.lastError}</p>}
      <dl class="facts grid">
        <dt>Domain</dt>
        <dd>{status.domain}</dd>
        <dt>Server</dt>
        <dd>{status.server}</dd>
        <dt>Uptime</dt>
        <dd>{duration(status.uptimeSeconds)}</dd>
        <dt>Reconnects</dt>
        <dd>{link.reconnects}</dd>
        <dt>Sent iqs waiting</dt>
        <dd>{status.pendingIqs}</dd>
        <dt>Sends waiting for the link</dt>
        <dd>{status.queuedSends}</dd>
        {webhooks && (
          <>
            <dt>Deliveries in memory</dt>
            <dd>
              {webhooks.deliveries.inMemory} ({webhooks.deliveries.inFlight} in flight,{' '}
              {webhooks.deliveries.retryWaiting} waiting to retry, {webhooks.deliveries.spilled} waiting as rows)
            </dd>
            <dt>Delivery log</dt>
            <dd>
              {webhooks.log.database.toLowerCase()} database, {webhooks.log.state.toLowerCase()}
              {webhooks.log.lastError ? ` (${webhooks.log.lastError})` : ''}
            </dd>
          </>
        )}
      </dl>
    </>
  );
}
