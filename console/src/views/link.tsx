import { LinkPanel } from './link-panel.tsx';
import { LiveTail } from './live-tail.tsx';
import { TrafficCharts } from './traffic-charts.tsx';
import { useStatus } from './use-status.ts';

export function LinkView() {
  const { status, error, perSecond, perMinute } = useStatus();
  return (
    <>
      <h1 tabIndex={-1}>Link and traffic</h1>
      <LinkPanel status={status} error={error} />
      <TrafficCharts perSecond={perSecond} perMinute={perMinute} webhooks={Boolean(status?.webhooks)} />
      <LiveTail />
    </>
  );
}
