import type { AttemptRecord, DeliveryEvent, DeliveryRecord, DeliveryStatus } from '../webhooks/delivery-log.ts';
import { ATTEMPTS_LOADER_OPTIONS, loadAttempts } from './attempts-loader.ts';
import { builder } from './builder.ts';
import { ATTEMPT_FIELDS, DELIVERY_FIELDS, showingColumns } from './delivery-columns.ts';
import { enumValues } from './enum-values.ts';
import { StanzaKindEnum, StanzaRef } from './stanza.ts';

/**
 * The webhook delivery log as GraphQL types: a `Delivery` is one inbound stanza POSTed to
 * CALLBACK_URL, with its `attempts` (docs/webhooks.md, "The delivery log").
 */
const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

export const DeliveryStatusEnum = builder.enumType('DeliveryStatus', {
  values: enumValues(
    DELIVERY_STATUSES,
    (status) =>
      ({
        pending: 'Accepted; attempts are still to come (or running).',
        delivered: 'The callback took it (2xx); its reply, if any, was sent back.',
        failed: 'Given up: the sender got the stanza error, if any was due.',
      })[status],
  ),
});

export const DeliveryAttemptRef = builder.objectRef<AttemptRecord>('DeliveryAttempt').implement({
  description: 'One POST to the callback.',
  fields: showingColumns(ATTEMPT_FIELDS, (t) => ({
    number: t.exposeInt('number', { description: '1 for the first attempt.' }),
    startedAt: t.field({ type: 'DateTime', resolve: (attempt) => attempt.startedAt }),
    durationMs: t.exposeInt('durationMs'),
    httpStatus: t.int({ nullable: true, resolve: (attempt) => attempt.httpStatus }),
    responseHeaders: t.field({ type: 'JSON', nullable: true, resolve: (attempt) => attempt.responseHeaders }),
    responseExcerpt: t.string({
      nullable: true,
      description: 'The start of the response body (WEBHOOK_RESPONSE_EXCERPT_BYTES).',
      resolve: (attempt) => attempt.responseExcerpt,
    }),
    responseTruncated: t.exposeBoolean('responseTruncated'),
    errorKind: t.string({
      nullable: true,
      description: '`connect`, `timeout`, `http`, `invalid-response` or `aborted`.',
      resolve: (attempt) => attempt.errorKind,
    }),
    errorText: t.string({ nullable: true, resolve: (attempt) => attempt.errorText }),
  })),
});

/** A row from a list carries no attempts; `delivery(id)` and events may bring them along. */
export type DeliveryView = DeliveryRecord & { attempts?: AttemptRecord[] };

export const DeliveryRef = builder.objectRef<DeliveryView>('Delivery').implement({
  description: 'An inbound stanza delivered (or being delivered) to the webhook.',
  fields: showingColumns(DELIVERY_FIELDS, (t) => ({
    id: t.exposeID('id', { description: 'Also the `webhook-id` header of every attempt.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (delivery) => delivery.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (delivery) => delivery.updatedAt }),
    kind: t.field({ type: StanzaKindEnum, resolve: (delivery) => delivery.kind }),
    type: t.string({
      nullable: true,
      description: "The stanza's type attribute.",
      resolve: (delivery) => delivery.stanzaType,
    }),
    stanzaId: t.exposeString('stanzaId'),
    from: t.field({ type: 'JID', resolve: (delivery) => delivery.fromJid }),
    to: t.field({ type: 'JID', resolve: (delivery) => delivery.toJid }),
    xml: t.exposeString('xml', { description: 'The stanza as POSTed.' }),
    stanza: t.field({
      type: StanzaRef,
      nullable: true,
      description: 'The stanza, typed (null only if the logged XML cannot be read back).',
      resolve: (delivery, _args, ctx) => ctx.deliveryLog?.stanzaOf(delivery) ?? null,
    }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (delivery) => delivery.status }),
    outcome: t.string({
      nullable: true,
      description:
        'How it ended: `accepted`, `replied`, `http-error`, `unreachable`, `invalid-response`, ' +
        '`interrupted` or `rejected` (an iq refused past WEBHOOK_QUEUE_MAX).',
      resolve: (delivery) => delivery.outcome,
    }),
    attemptCount: t.exposeInt('attemptCount'),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (delivery) => delivery.nextAttemptAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (delivery) => delivery.finishedAt }),
    replyXml: t.string({
      nullable: true,
      description: 'What was sent back to the sender, if anything.',
      resolve: (delivery) => delivery.replyXml,
    }),
    redeliveryOf: t.id({
      nullable: true,
      description: 'The delivery this one repeats (redeliver).',
      resolve: (delivery) => delivery.redeliveryOf,
    }),
    attempts: t.loadableList({
      type: DeliveryAttemptRef,
      description:
        'Every attempt, oldest first. In a `deliveries` subscription event they are read from the log, ' +
        'which is written behind the deliveries: the attempt that caused the event may be missing yet (the ' +
        "event's own `attempt` is current).",
      // One read for all the deliveries of a response (attempts-loader.ts).
      load: loadAttempts,
      loaderOptions: ATTEMPTS_LOADER_OPTIONS,
      resolve: (delivery) => delivery,
    }),
  })),
});

export const DeliveryEventRef = builder.objectRef<DeliveryEvent>('DeliveryEvent').implement({
  description: 'A delivery changed: an attempt finished, or the delivery was accepted or ended.',
  fields: (t) => ({
    delivery: t.field({ type: DeliveryRef, resolve: (event) => event.delivery }),
    attempt: t.field({ type: DeliveryAttemptRef, nullable: true, resolve: (event) => event.attempt ?? null }),
  }),
});
