import type { WebhookStatus } from '../webhooks/index.ts';
import { builder } from './builder.ts';
import { enumValues } from './enum-values.ts';
import { StatusRef } from './status.ts';

/**
 * `status.webhooks`: the webhook face at a glance — what is in memory now, and counters since
 * start that a dashboard turns into rates (outcomes per minute). The same figures as the
 * webhook gauges and counters of /metrics, for clients that speak only GraphQL.
 */
const DatabaseKindEnum = builder.enumType('DeliveryLogDatabase', {
  values: enumValues(['postgres', 'embedded'] as const, (kind) =>
    kind === 'postgres' ? 'Postgres (DATABASE_URL).' : 'The embedded database under DATA_DIR.',
  ),
});

const DatabaseStateEnum = builder.enumType('DeliveryLogState', {
  values: enumValues(['up', 'down', 'closed'] as const, (state) =>
    state === 'up'
      ? 'Takes writes.'
      : state === 'down'
        ? 'Unreachable: writes wait in memory (DELIVERY_LOG_BUFFER_MAX); deliveries go on.'
        : 'Closed: the gateway is stopping.',
  ),
});

const DeliveryLogStatusRef = builder.objectRef<WebhookStatus['database']>('DeliveryLogStatus').implement({
  fields: (t) => ({
    database: t.field({ type: DatabaseKindEnum, resolve: (db) => db.kind }),
    state: t.field({ type: DatabaseStateEnum, resolve: (db) => db.state }),
    since: t.field({ type: 'DateTime', resolve: (db) => db.since }),
    lastError: t.string({ nullable: true, resolve: (db) => db.lastError ?? null }),
    bufferedWrites: t.exposeInt('bufferedWrites', { description: 'Log writes waiting in memory.' }),
    lostRows: t.int({
      description: 'Log writes lost since start (an outage longer than the buffer); the deliveries went out.',
      resolve: (db) => db.lostLogRows,
    }),
  }),
});

const WebhookDeliveriesRef = builder.objectRef<WebhookStatus['deliveries']>('WebhookDeliveries').implement({
  fields: (t) => ({
    inMemory: t.int({
      description: 'Queued, in flight or waiting for a retry (at most WEBHOOK_QUEUE_MAX).',
      resolve: (deliveries) => deliveries.active,
    }),
    inFlight: t.exposeInt('inFlight', { description: 'POSTs in progress.' }),
    queued: t.exposeInt('queued', { description: 'Waiting for their first attempt.' }),
    retryWaiting: t.exposeInt('retryWaiting', { description: 'Waiting for their next attempt after a failed one.' }),
    spilled: t.exposeInt('spilled', { description: 'Past WEBHOOK_QUEUE_MAX: kept only as pending rows for now.' }),
    oldestPendingAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the oldest unfinished delivery in memory arrived.',
      resolve: (deliveries) => deliveries.oldestPendingAt ?? null,
    }),
    accepted: t.exposeInt('accepted', { description: 'Since start: deliveries accepted.' }),
    delivered: t.exposeInt('delivered', { description: 'Since start: deliveries the callback took (2xx).' }),
    failed: t.exposeInt('failed', { description: 'Since start: deliveries given up.' }),
    retries: t.exposeInt('retries', { description: 'Since start: failed attempts scheduled to be made again.' }),
    rejected: t.exposeInt('rejected', { description: 'Since start: iqs refused past WEBHOOK_QUEUE_MAX.' }),
  }),
});

const WebhookStatusRef = builder.objectRef<WebhookStatus>('WebhookStatus').implement({
  fields: (t) => ({
    deliveries: t.field({ type: WebhookDeliveriesRef, resolve: (status) => status.deliveries }),
    log: t.field({ type: DeliveryLogStatusRef, resolve: (status) => status.database }),
  }),
});

builder.objectField(StatusRef, 'webhooks', (t) =>
  t.field({
    type: WebhookStatusRef,
    nullable: true,
    description: 'The webhook face and its delivery log; null without CALLBACK_URL.',
    resolve: (_status, _args, ctx) => ctx.webhookStatus?.() ?? null,
  }),
);
