import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { GraphQLError, Kind, type ValueNode } from 'graphql';
import type { InboundSubscriptions } from '../subscribers/inbound-subscriptions.ts';
import type { DeliveryLog } from '../webhooks/delivery-log.ts';
import type { XmppCore } from '../xmpp/core.ts';
import type { Jid } from '../xmpp/jid.ts';

/** What every resolver gets: the same core as /rest, and the limits of this deployment. */
export interface GraphqlContext {
  core: XmppCore;
  subscriptions: InboundSubscriptions;
  iqTimeout: { defaultMs: number; maxMs: number };
  /** The size limit of raw XML arguments: the same as a /rest body. */
  maxStanzaBytes: number;
  /** The webhook delivery log; undefined when no CALLBACK_URL is set. */
  deliveryLog: DeliveryLog | undefined;
  /** Events buffered per subscription before a slow subscriber is cut off. */
  subscriptionBufferMax: number;
}

export const builder = new SchemaBuilder<{
  Context: GraphqlContext;
  Scalars: {
    JID: { Input: Jid; Output: Jid | string };
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ErrorsPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

function literalToJson(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.LIST:
      return ast.values.map(literalToJson);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalToJson(field.value)]));
    default:
      return null;
  }
}

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
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
