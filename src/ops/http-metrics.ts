import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConnectionGuard, ShedReason } from '../http/connection-guard.ts';
import type { SubscriptionQuota } from '../subscribers/subscription-quota.ts';
import { METRIC_PREFIX } from './metrics.ts';

/** The HTTP listener's connections and the subscription quota, on the app's registry. */
export function registerHttpMetrics(registry: Registry, guard: ConnectionGuard, quota: SubscriptionQuota): void {
  new Gauge({
    name: `${METRIC_PREFIX}http_connections`,
    help: 'Open HTTP connections (WebSockets included), by pool: main (up to HTTP_MAX_CONNECTIONS) or probe-reserve.',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      const { main, reserve } = guard.open;
      this.set({ pool: 'main' }, main);
      this.set({ pool: 'probe-reserve' }, reserve);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}http_max_connections`,
    help: 'The connection cap in force (HTTP_MAX_CONNECTIONS, lowered to fit the descriptor limit).',
    registers: [registry],
    collect() {
      this.set(guard.max);
    },
  });
  const shed = new Counter({
    name: `${METRIC_PREFIX}http_connections_shed_total`,
    help: 'Connections closed by the cap: evicted-idle (the longest idle, to make room), refused (no room at all), not-a-probe (a request other than a probe on a reserve place).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of ['evicted-idle', 'refused', 'not-a-probe'] satisfies ShedReason[]) shed.inc({ reason }, 0);
  guard.onShed((reason) => shed.inc({ reason }));
  new Gauge({
    name: `${METRIC_PREFIX}graphql_subscription_slots`,
    help: 'Subscription slots taken now (SUBSCRIPTIONS_MAX in all, SUBSCRIPTIONS_PER_TOKEN_MAX per token).',
    registers: [registry],
    collect() {
      this.set(quota.open);
    },
  });
}
