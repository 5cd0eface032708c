import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { GraphQLError } from 'graphql';
import type { Caller } from '../auth/caller.ts';
import type { InboundJournal } from '../journal/inbound-journal.ts';
import type { InboundSubscriptions } from '../subscribers/inbound-subscriptions.ts';
import type { DeliveryLog } from '../webhooks/delivery-log.ts';
import type { GatewayRole } from '../ha/role.ts';
import type { WebhookStatus } from '../webhooks/index.ts';
import type { XmppCore } from '../xmpp/core.ts';
import type { Jid } from '../xmpp/jid.ts';

/**
 * What every resolver gets: the same core as /rest, and the limits of this deployment. The
 * context factory makes one per operation; the Dataloader plugin keeps its loaders on it.
 */
export interface GraphqlContext {
  /** Who sent the operation: its token's name and scope (scope-guard.ts). */
  identity: Caller | undefined;
  core: XmppCore;
  subscriptions: InboundSubscriptions;
  iqTimeout: { defaultMs: number; maxMs: number };
  /** The size limit of raw XML arguments: the same as a /rest body. */
  maxStanzaBytes: number;
  /** The largest archive page (REST_MAX_ARCHIVE_RESULTS, as for /rest). */
  maxArchiveResults: number;
  /** The webhook delivery log; undefined when no CALLBACK_URL is set. */
  deliveryLog: DeliveryLog | undefined;
  /** The webhook face's figures now; undefined when no CALLBACK_URL is set. */
  webhookStatus: (() => WebhookStatus) | undefined;
  /** The inbound journal; undefined unless INBOUND_JOURNAL_DAYS is above 0. */
  journal: InboundJournal | undefined;
  /** Events buffered per subscription before a slow subscriber is cut off. */
  subscriptionBufferMax: number;
  /** This process's role among the gateways of its domain (HA_ELECTION). */
  role: () => GatewayRole;
}

export const builder = new SchemaBuilder<{
  Context: GraphqlContext;
  Scalars: {
    JID: { Input: Jid; Output: Jid | string };
    JSON: { Input: never; Output: unknown };
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin, SimpleObjectsPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  // Connections only (`deliveries`): no type is a Node, so there is no `node`/`nodes` query.
  relay: { nodesOnConnection: true, nodeQueryOptions: false, nodesQueryOptions: false },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/**
 * JSON is output-only (XmlElement.attrs and json, a delivery attempt's responseHeaders): no
 * argument takes it, and untyped input would bypass every rule the typed inputs enforce. graphql-js
 * would accept any value for a scalar without parsers, so these refuse instead.
 */
function refuseJsonInput(): never {
  throw new GraphQLError('JSON is an output-only scalar: it cannot be given as an argument');
}

builder.scalarType('JSON', {
  description: 'Any JSON value (output only).',
  serialize: (value) => value,
  parseValue: refuseJsonInput,
  parseLiteral: refuseJsonInput,
});

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO 8601 string in UTC.',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('Invalid DateTime');
    return date;
  },
});
