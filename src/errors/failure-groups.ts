import type { FailureKind } from './failures.ts';

/**
 * The failure table's column for API faces that answer with typed results (GraphQL): which
 * family of error each kind belongs to. One row per kind, so a new kind does not compile until
 * it is placed here. `transport` kinds are answered before any operation runs (HTTP status,
 * socket close code); `internal` ones are masked as unexpected errors.
 */
export type FailureGroup = 'transport' | 'input' | 'unavailable' | 'timeout' | 'refused' | 'internal';

export const failureGroups = {
  'no-credentials': 'transport',
  'bad-credentials': 'transport',
  'unsupported-media-type': 'transport',
  'method-not-allowed': 'transport',
  'not-found': 'transport',
  'payload-too-large': 'input',
  'not-well-formed': 'input',
  'unsupported-stanza-type': 'input',
  'invalid-namespace': 'input',
  'invalid-to': 'input',
  'invalid-from': 'input',
  'from-not-authorized': 'input',
  'operation-not-allowed': 'refused',
  'scope-revoked': 'refused',
  'rate-limited': 'unavailable',
  'invalid-iq-type': 'input',
  'iq-child-count': 'input',
  'invalid-character': 'input',
  'stanza-too-large': 'input',
  'invalid-argument': 'input',
  'iq-timeout': 'timeout',
  'archive-too-large': 'refused',
  'iq-conflict': 'refused',
  'no-pending-iq': 'refused',
  'link-down': 'unavailable',
  'link-lost': 'unavailable',
  'queue-full': 'unavailable',
  unconfirmed: 'unavailable',
  'shutting-down': 'unavailable',
  standby: 'unavailable',
  'subscriber-overflow': 'unavailable',
  'token-subscription-limit': 'unavailable',
  'subscription-limit': 'unavailable',
  internal: 'internal',
  // Webhook outcomes: what the sender of an inbound stanza gets, never the result of an operation.
  'callback-unreachable': 'internal',
  'callback-timeout': 'internal',
  'invalid-callback-response': 'internal',
  'delivery-interrupted': 'internal',
  'bad-cursor': 'input',
  'database-unavailable': 'unavailable',
  // A redelivered iq past WEBHOOK_QUEUE_MAX (the operation can be tried again later).
  'webhook-queue-full': 'unavailable',
  'delivery-log-off': 'unavailable',
  'unknown-delivery': 'input',
  'journal-off': 'unavailable',
  'cursor-expired': 'input',
} as const satisfies Record<FailureKind, FailureGroup>;

export function failureGroup(kind: FailureKind): FailureGroup {
  return failureGroups[kind];
}
