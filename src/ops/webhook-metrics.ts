import { Counter, Histogram, type Registry } from 'prom-client';
import type { Webhooks } from '../webhooks/index.ts';
import { METRIC_PREFIX, scrapedGauge } from './metrics.ts';

/**
 * Webhook and delivery-log metrics on the app's registry. The delivery path only increments
 * (through `metricEvents`); every gauge is read from status() when scraped.
 */
export function registerWebhookMetrics(registry: Registry, webhooks: Webhooks): void {
  const deliveries = new Counter({
    name: `${METRIC_PREFIX}webhook_deliveries_total`,
    help:
      'Webhook deliveries ended, by outcome ' +
      '(accepted, replied, http-error, unreachable, invalid-response, interrupted, rejected).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${METRIC_PREFIX}webhook_delivery_seconds`,
    help: 'From the arrival of an inbound stanza to the final outcome of its delivery (retries included), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600],
    registers: [registry],
  });
  webhooks.metricEvents.on('final', (outcome, seconds) => {
    deliveries.inc({ outcome });
    latency.observe({ outcome }, seconds);
  });
  const retries = new Counter({
    name: `${METRIC_PREFIX}webhook_retries_total`,
    help: 'Webhook attempts that failed and were scheduled to be made again.',
    registers: [registry],
  });
  webhooks.metricEvents.on('retry', () => retries.inc());

  const gauge = (name: string, help: string, read: () => number) => scrapedGauge(registry, name, help, read);
  const deliveriesNow = () => webhooks.status().deliveries;
  const database = () => webhooks.status().database;
  gauge(
    'webhook_in_memory',
    'Deliveries held in memory: queued, in flight or waiting for a retry (at most WEBHOOK_QUEUE_MAX).',
    () => deliveriesNow().active,
  );
  gauge('webhook_in_flight', 'Webhook POSTs in progress.', () => deliveriesNow().inFlight);
  gauge(
    'webhook_retry_backlog',
    'Deliveries waiting for their next attempt after a failed one.',
    () => deliveriesNow().retryWaiting,
  );
  gauge(
    'webhook_spilled',
    'Deliveries past WEBHOOK_QUEUE_MAX, kept only as pending rows in the log until memory has room.',
    () => deliveriesNow().spilled,
  );
  gauge(
    'webhook_oldest_pending_seconds',
    'Age of the oldest delivery not finished yet (in memory), 0 when none.',
    () => {
      const oldest = deliveriesNow().oldestPendingAt;
      return oldest ? (Date.now() - oldest.getTime()) / 1000 : 0;
    },
  );
  gauge('delivery_log_up', '1 while the delivery log database takes writes.', () =>
    database().state === 'up' ? 1 : 0,
  );
  gauge(
    'delivery_log_buffered_writes',
    'Delivery log writes waiting in memory (batch being written included).',
    () => database().bufferedWrites,
  );
  gauge(
    'delivery_log_lost_rows',
    'Delivery log writes lost since start (outage longer than DELIVERY_LOG_BUFFER_MAX, or refused).',
    () => database().lostLogRows,
  );
}
