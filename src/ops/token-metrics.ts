import { Counter, Gauge, type Registry } from 'prom-client';
import type { BearerAuth } from '../auth/bearer-auth.ts';
import type { SubscriptionQuota } from '../subscribers/subscription-quota.ts';
import { METRIC_PREFIX } from './metrics.ts';

/**
 * Metrics by token name (API_TOKENS' entries are `api-token-1`…; scoped tokens their `name`):
 * never the secret. The label's values are bounded by the configuration.
 */
export function registerTokenMetrics(registry: Registry, auth: BearerAuth, quota: SubscriptionQuota): void {
  const decisions = new Counter({
    name: `${METRIC_PREFIX}token_operations_total`,
    help:
      'Operations asked for with each token, by operation (send, iq, subscribe, deliveries, redeliver, status) and ' +
      'outcome (allowed, forbidden, rate-limited).',
    labelNames: ['token', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  auth.onDecision((token, operation, outcome) => decisions.inc({ token, operation, outcome }));
  new Gauge({
    name: `${METRIC_PREFIX}token_subscriptions`,
    help: 'GraphQL subscriptions open now, by token.',
    labelNames: ['token'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const token of auth.names) this.set({ token }, quota.openFor(token));
    },
  });
}
