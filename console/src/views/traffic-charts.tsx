import { Sparkline, StackedBars } from '../parts/sparkline.tsx';
import type { PerMinute, PerSecond } from './use-status.ts';

/** Inbound and outbound stanzas per second; webhook outcomes per minute. */
export function TrafficCharts({
  perSecond,
  perMinute,
  webhooks,
}: {
  perSecond: PerSecond[];
  perMinute: PerMinute[];
  webhooks: boolean;
}) {
  return (
    <section aria-labelledby="traffic-heading" class="panel">
      <h2 id="traffic-heading">Traffic</h2>
      <p class="hint">Since this view opened: stanzas per second over the last minute, webhook outcomes per minute.</p>
      <div class="charts">
        <Sparkline label="Inbound" unit="stanzas/s" values={perSecond.map((point) => point.in)} slots={60} />
        <Sparkline label="Outbound" unit="stanzas/s" values={perSecond.map((point) => point.out)} slots={60} />
        {webhooks ? (
          <StackedBars
            label="Webhook outcomes per minute"
            legend={['delivered', 'failed', 'retries']}
            slots={15}
            bars={perMinute.map((minute) => ({
              label: String(minute.minute),
              parts: [
                { name: 'delivered', value: minute.delivered },
                { name: 'failed', value: minute.failed },
                { name: 'retries', value: minute.retries },
              ],
            }))}
          />
        ) : (
          <p class="hint">No webhook: CALLBACK_URL is not set.</p>
        )}
      </div>
    </section>
  );
}
