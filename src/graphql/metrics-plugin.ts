import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../ops/metrics.ts';

/**
 * GraphQL's metrics on the app's registry: operations by type and outcome (`ok`, or `error`
 * when the result carries GraphQL errors; typed error results of a union are `ok`), and the
 * subscriptions open right now, on any transport.
 */
type OperationType = 'query' | 'mutation' | 'subscription';

function operationType(document: DocumentNode, name: string | null | undefined): OperationType {
  return getOperationAST(document, name ?? undefined)?.operation ?? 'query';
}

/**
 * What the subscription plugin (subscription-quota-plugin.ts) reports of each subscription's
 * life: it already follows every subscription to its end, and one set of hooks per
 * subscription instead of two keeps each open subscription smaller (docs/graphql.md, "Memory").
 */
export interface SubscriptionEvents {
  /** The subscription started: its result is a stream. */
  opened(): void;
  /** The subscription answered a result instead of a stream (an error). */
  failed(): void;
  /** An opened subscription ended, however (completed, unsubscribed, failed); once. */
  closed(): void;
}

export interface OperationMetrics {
  plugin: Plugin;
  subscriptions: SubscriptionEvents;
}

export function createOperationMetrics(registry: Registry): OperationMetrics {
  const operations = new Counter({
    name: `${METRIC_PREFIX}graphql_operations_total`,
    help: 'GraphQL operations executed, by type (query, mutation, subscription) and outcome (ok, error).',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const open = new Gauge({
    name: `${METRIC_PREFIX}graphql_subscriptions`,
    help: 'GraphQL subscriptions open now (graphql-ws and SSE).',
    registers: [registry],
  });
  return {
    plugin: {
      onExecute({ args }) {
        // envelop types the execution args loosely; these two are graphql-js's own.
        const { document, operationName } = args as { document: DocumentNode; operationName?: string | null };
        const type = operationType(document, operationName);
        return {
          onExecuteDone({ result }) {
            const failed = 'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
            operations.inc({ type, outcome: failed ? 'error' : 'ok' });
          },
        };
      },
    },
    subscriptions: {
      opened() {
        operations.inc({ type: 'subscription', outcome: 'ok' });
        open.inc();
      },
      failed: () => operations.inc({ type: 'subscription', outcome: 'error' }),
      closed: () => open.dec(),
    },
  };
}
