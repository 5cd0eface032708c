import type { Webhooks } from '../webhooks/index.ts';
import type { ReadinessCheck } from './readiness.ts';

/**
 * Readiness of the delivery log's database (with CALLBACK_URL set). Deliveries go on while it
 * is down, but nothing is durable then (docs/webhooks.md, "Durability"): an orchestrator should
 * know. Each check makes one round trip, so an outage is seen even with no traffic.
 */
export function databaseCheck(webhooks: Webhooks): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      await webhooks.probeDatabase();
      const { state, lastError } = webhooks.status().database;
      if (state === 'up') return undefined;
      return lastError ? `delivery log database ${state}: ${lastError}` : `delivery log database ${state}`;
    },
  };
}
