import { EventEmitter } from 'node:events';
import type { Config } from '../config.ts';
import { RetentionPruner } from '../db/retention.ts';
import { StartOrder } from '../flow/start-order.ts';
import type { Logger } from '../log.ts';
import type { XmppCore } from '../xmpp/core.ts';
import { backlogResume } from './backlog-resume.ts';
import { createCallbackClient } from './callback-client.ts';
import { callbackFormat } from './callback-probe.ts';
import { callbackUrl as parseCallbackUrl } from './callback-url.ts';
import { deliveries } from './deliveries.ts';
import { DeliveryEvents } from './delivery-events.ts';
import { DeliveryLog } from './delivery-log.ts';
import type { DeliveryMetricEvents } from './delivery-recorder.ts';
import { logDatabase, type LogDatabaseStatus } from './log-database.ts';

export type { DeliveryLog } from './delivery-log.ts';
export type { DeliveryEvent, DeliveryEventFilter } from './delivery-events.ts';

/**
 * The webhook face, self-contained for buildApp: inbound bus and iq answerer in, callback
 * POSTs out, the delivery log behind. Stopping is two steps around the core's own stop:
 * drain(deadline) (no new attempts, those in flight may finish until the deadline; what still
 * arrives is logged as pending), then close() (the log written, the database closed).
 */
export interface Webhooks {
  log: DeliveryLog;
  status(): WebhookStatus;
  /** Cheap events for metrics (src/ops/webhook-metrics.ts). */
  metricEvents: EventEmitter<DeliveryMetricEvents>;
  start(): Promise<void>;
  drain(deadline: number): Promise<void>;
  close(): Promise<void>;
  /** One round trip to the log's database (readiness); an outage found is handled as any other. */
  probeDatabase(): Promise<void>;
  /** One retention pass now (it also runs hourly); resolves with the deliveries removed. */
  prune(now?: Date): Promise<number>;
}

export interface WebhookStatus {
  database: LogDatabaseStatus;
  deliveries: {
    /** In memory: queued, in flight or waiting for a retry (at most WEBHOOK_QUEUE_MAX). */
    active: number;
    inFlight: number;
    queued: number;
    retryWaiting: number;
    /** Kept only as pending rows (past WEBHOOK_QUEUE_MAX), not read back yet. */
    spilled: number;
    /** When the oldest delivery in memory arrived. */
    oldestPendingAt: Date | undefined;
    accepted: number;
    delivered: number;
    failed: number;
    retries: number;
    rejected: number;
  };
}

const IDLE_DELIVERIES: WebhookStatus['deliveries'] = {
  active: 0,
  inFlight: 0,
  queued: 0,
  retryWaiting: 0,
  spilled: 0,
  oldestPendingAt: undefined,
  accepted: 0,
  delivered: 0,
  failed: 0,
  retries: 0,
  rejected: 0,
};

/**
 * Wires the webhook face from its parts, as xmpp.js's component() wires its plugins: each part
 * has its own start and stop, and the list below is the start order (stop is the reverse).
 */
export function createWebhooks(config: Config, core: XmppCore, log: Logger): Webhooks | undefined {
  const callbackUrl = config.callbackUrl;
  if (!callbackUrl) return undefined;
  const events = new DeliveryEvents();
  const metricEvents = new EventEmitter<DeliveryMetricEvents>();
  const client = createCallbackClient(callbackUrl, config.webhook.concurrency);
  const url = parseCallbackUrl(callbackUrl);
  const format = callbackFormat({
    client,
    url,
    domain: core.domain,
    configured: config.webhook.format,
    secrets: config.webhook.secrets ?? [],
    timeoutMs: config.webhook.timeoutMs,
    log,
  });
  const database = logDatabase(
    { url: config.databaseUrl, dataDir: config.deliveryLog.dataDir, bufferMax: config.deliveryLog.bufferMax },
    log,
  );
  const delivering = deliveries({ core, config, client, url, format, database, events, metricEvents, log });
  const pruner = new RetentionPruner(() => delivering.running?.store, config.deliveryLog.retentionDays, log);
  const parts = new StartOrder([
    // Closed last: the callback POSTs (the probe's and the deliveries') go through it.
    { start: () => {}, stop: () => client.close() },
    // Sent first, answered while the database opens: the format is needed before the first delivery.
    format,
    database,
    // Stopped before the database: the attempts still running end, and their outcomes are written.
    delivering,
    backlogResume(database, delivering),
    pruner,
  ]);

  return {
    log: new DeliveryLog(() => delivering.running, events, core.domain),
    metricEvents,
    status() {
      const dispatcher = delivering.running?.dispatcher;
      return {
        database: database.status(),
        deliveries: dispatcher
          ? { ...dispatcher.status(), oldestPendingAt: dispatcher.oldestPending() }
          : IDLE_DELIVERIES,
      };
    },
    start: () => parts.start(),
    prune: (now) => pruner.run(now),
    probeDatabase: async () => database.open?.writer.probe(),
    drain: (deadline) => delivering.drain(deadline),
    close: () => parts.stop(),
  };
}
