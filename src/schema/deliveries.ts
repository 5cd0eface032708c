import { GatewayError } from '../errors/gateway-error.ts';
import type { StanzaKind } from '../xmpp/codec/index.ts';
import { type DeliveryLog, type DeliveryStatus, MAX_PAGE } from '../webhooks/delivery-log.ts';
import { endWhenRevoked, requireOperation } from './scope-guard.ts';
import { builder, type GraphqlContext } from './builder.ts';
import { DeliveryEventRef, DeliveryRef, DeliveryStatusEnum } from './delivery.ts';
import { coded, codedError, graphqlErrorOf, InvalidInput, resultNames, Unavailable } from './errors.ts';
import { StanzaKindEnum } from './stanza.ts';

/**
 * The delivery log over GraphQL: `deliveries` (a Relay connection, newest first, with stable
 * cursors), `delivery(id)`, `redeliver(id)` and the live `deliveries` subscription. All of it
 * needs CALLBACK_URL (the log is kept only for webhooks); reads also need its database.
 */
function logOf(ctx: GraphqlContext): DeliveryLog {
  if (!ctx.deliveryLog) throw new GatewayError('delivery-log-off');
  return ctx.deliveryLog;
}

/**
 * `DeliveryConnection`, `DeliveryEdge` and `PageInfo` come from the Relay plugin; the log's store
 * pages by itself (keyset on its own opaque cursors) and returns the connection's shape.
 */
const DeliveryConnectionRef = builder.connectionObject(
  { type: DeliveryRef, name: 'DeliveryConnection' },
  { name: 'DeliveryEdge' },
);

const DeliveryFilterInput = builder.inputType('DeliveryFilter', {
  fields: (t) => ({
    status: t.field({ type: DeliveryStatusEnum }),
    kind: t.field({ type: StanzaKindEnum }),
    from: t.field({
      type: 'JID',
      description: 'The sender: a bare JID matches all its resources, a full JID exactly.',
    }),
    since: t.field({ type: 'DateTime', description: 'Created at or after.' }),
    until: t.field({ type: 'DateTime', description: 'Created before.' }),
  }),
});

const DeliveryEventFilterInput = builder.inputType('DeliveryEventFilter', {
  fields: (t) => ({
    status: t.field({ type: DeliveryStatusEnum }),
    kind: t.field({ type: StanzaKindEnum }),
    from: t.field({
      type: 'JID',
      description: 'The sender: a bare JID matches all its resources, a full JID exactly.',
    }),
  }),
});

interface FilterArgs {
  status?: DeliveryStatus | null;
  kind?: StanzaKind | null;
  from?: { toString(): string } | null;
  since?: Date | null;
  until?: Date | null;
}

function toFilter(filter: FilterArgs | null | undefined) {
  return {
    status: filter?.status ?? undefined,
    kind: filter?.kind ?? undefined,
    from: filter?.from?.toString(),
    since: filter?.since ?? undefined,
    until: filter?.until ?? undefined,
  };
}

builder.queryField('deliveries', (t) =>
  t.field({
    type: DeliveryConnectionRef,
    description:
      `Webhook deliveries, newest first. \`first\` is 1 to ${MAX_PAGE} (default 20); ` +
      '`after` is an endCursor of an earlier page.',
    // Forward paging only, so `first` and `after` rather than t.connection's four arguments:
    // the log is read newest first by keyset, and `last`/`before` would be a second query shape.
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      filter: t.arg({ type: DeliveryFilterInput, required: false }),
    },
    resolve: (_root, { first, after, filter }, ctx) =>
      coded(() => {
        requireOperation(ctx, 'deliveries');
        if (first !== null && first !== undefined && (first < 1 || first > MAX_PAGE)) {
          throw new GatewayError('invalid-argument', {
            field: 'first',
            text: `first must be between 1 and ${MAX_PAGE}`,
          });
        }
        return logOf(ctx).list({ first: first ?? undefined, after: after ?? undefined, filter: toFilter(filter) });
      }),
  }),
);

builder.queryField('delivery', (t) =>
  t.field({
    type: DeliveryRef,
    nullable: true,
    description: 'One delivery with its attempts; null when there is none with this id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) =>
      coded(async () => {
        requireOperation(ctx, 'deliveries');
        return (await logOf(ctx).get(String(id))) ?? null;
      }),
  }),
);

builder.mutationField('redeliver', (t) =>
  t.field({
    type: DeliveryRef,
    description:
      'POSTs a logged stanza to the callback again, as a new delivery (`redeliveryOf` = id) with the same ' +
      'rules and retries. A redelivered iq sends nothing back: its sender stopped waiting long ago.',
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [InvalidInput, Unavailable], ...resultNames('Redeliver', 'delivery') },
    resolve: (_root, { id }, ctx) => {
      requireOperation(ctx, 'redeliver');
      return logOf(ctx).redeliver(String(id));
    },
  }),
);

builder.subscriptionField('deliveries', (t) =>
  t.field({
    type: DeliveryEventRef,
    description:
      'Live delivery outcomes: one event per attempt and one when a delivery is accepted or ends. A ' +
      'subscriber that falls SUBSCRIPTION_BUFFER_MAX events behind gets SUBSCRIBER_OVERFLOW and its ' +
      'subscription ends.',
    args: { filter: t.arg({ type: DeliveryEventFilterInput, required: false }) },
    subscribe: (_root, { filter }, ctx) => {
      const caller = requireOperation(ctx, 'deliveries');
      const log = ctx.deliveryLog;
      if (!log) throw graphqlErrorOf(new GatewayError('delivery-log-off'));
      const { status, kind, from } = toFilter(filter);
      try {
        const stream = log.subscribe(
          { status, kind, from },
          {
            capacity: ctx.subscriptionBufferMax,
            overflow: () => graphqlErrorOf(new GatewayError('subscriber-overflow')),
          },
        );
        return endWhenRevoked(stream, caller, 'deliveries');
      } catch (error) {
        // `shutting-down`: the gateway is stopping and would never end this stream.
        throw codedError(error);
      }
    },
    resolve: (event) => event,
  }),
);
