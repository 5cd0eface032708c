import type { StanzaErrorType } from './stanza-error.ts';

/**
 * The one table of the gateway's own failures: each kind names its stanza error (type and
 * condition, as mod_rest uses them), its HTTP status and its default text. The edges (/rest,
 * GraphQL, webhooks) map a GatewayError through this table and nowhere else.
 * The first rows reproduce mod_rest's `post_errors` (docs/rest.md), texts included.
 */
export const failures = {
  'no-credentials': { type: 'auth', condition: 'not-authorized', http: 401, text: 'No credentials provided' },
  'bad-credentials': { type: 'auth', condition: 'not-authorized', http: 403, text: 'Credentials not accepted' },
  'unsupported-media-type': { type: 'cancel', condition: 'bad-format', http: 415, text: 'Unsupported media type' },
  'payload-too-large': { type: 'modify', condition: 'resource-constraint', http: 413, text: 'Payload too large' },
  'not-well-formed': { type: 'modify', condition: 'not-well-formed', http: 400, text: 'Failed to parse payload' },
  'unsupported-stanza-type': {
    type: 'modify',
    condition: 'unsupported-stanza-type',
    http: 422,
    text: "Invalid stanza, must be 'message', 'presence' or 'iq'.",
  },
  'invalid-namespace': {
    type: 'modify',
    condition: 'invalid-namespace',
    http: 422,
    text: "'xmlns' attribute must be empty",
  },
  'invalid-to': { type: 'modify', condition: 'improper-addressing', http: 422, text: 'Invalid destination JID' },
  'invalid-from': { type: 'modify', condition: 'invalid-from', http: 422, text: 'Invalid source JID' },
  'from-not-authorized': {
    type: 'auth',
    condition: 'not-authorized',
    http: 403,
    text: "Not authorized to send stanza with requested 'from'",
  },
  // Scoped tokens (API_SCOPED_TOKENS): an operation outside the token's `can`, a send past its
  // rate, and a subscription ended because a reload took the right away.
  'operation-not-allowed': {
    type: 'auth',
    condition: 'forbidden',
    http: 403,
    text: 'This token may not use this operation',
  },
  'rate-limited': {
    type: 'wait',
    condition: 'policy-violation',
    http: 429,
    text: 'This token sends faster than its rate allows: retry after the given seconds',
  },
  'scope-revoked': {
    type: 'auth',
    condition: 'forbidden',
    http: 403,
    text: "The token lost the right to this subscription when the gateway's tokens were reloaded",
  },
  'invalid-iq-type': {
    type: 'modify',
    condition: 'invalid-xml',
    http: 422,
    text: "'iq' stanza must be of type 'get' or 'set'",
  },
  'iq-child-count': {
    type: 'modify',
    condition: 'bad-format',
    http: 422,
    text: "'iq' stanza must have exactly one child tag",
  },
  // The wire check (src/xmpp/codec/wire-check.ts): what the XMPP server would close the
  // component stream over is refused before anything is written.
  'invalid-character': {
    type: 'modify',
    condition: 'not-acceptable',
    http: 400,
    text:
      'The stanza holds a character that XML 1.0 does not allow ' +
      '(a control character, U+FFFE, U+FFFF or an unpaired surrogate)',
  },
  'stanza-too-large': {
    type: 'modify',
    condition: 'policy-violation',
    http: 413,
    text: 'The stanza is larger than XMPP_MAX_STANZA_BYTES once serialised',
  },
  // Our own: mod_rest answers 500 here; 504 says what happened (a deviation, docs/contract.md).
  'iq-timeout': { type: 'wait', condition: 'remote-server-timeout', http: 504, text: 'IQ stanza timed out' },
  'iq-conflict': {
    type: 'cancel',
    condition: 'conflict',
    http: 409,
    text: 'An iq with this id to this address is already waiting for its reply',
  },
  'link-down': { type: 'wait', condition: 'service-unavailable', http: 503, text: 'The XMPP link is down' },
  'link-lost': {
    type: 'wait',
    condition: 'service-unavailable',
    http: 503,
    text: 'The XMPP link went down before the reply arrived; the iq may have been delivered',
  },
  // Written, then neither confirmed by the server (ack-markers.ts) nor written again before the
  // deadline: the server may have processed it. The gateway never writes it again.
  unconfirmed: {
    type: 'wait',
    condition: 'service-unavailable',
    http: 503,
    text: 'The XMPP server did not confirm the stanza in time; it may have been delivered',
  },
  'queue-full': {
    type: 'wait',
    condition: 'resource-constraint',
    http: 503,
    text: 'Too many stanzas are waiting to be sent',
  },
  'shutting-down': { type: 'wait', condition: 'service-unavailable', http: 503, text: 'The gateway is shutting down' },
  // HA_ELECTION: another gateway of this domain holds the link (README "Running several replicas").
  standby: {
    type: 'wait',
    condition: 'service-unavailable',
    http: 503,
    text: 'This gateway is a standby: another gateway of this domain serves it; retry (a load balancer follows /readyz)',
  },
  // GraphQL: an argument outside its allowed range (e.g. a negative timeoutMs).
  'invalid-argument': { type: 'modify', condition: 'bad-request', http: 400, text: 'Invalid argument' },
  // GraphQL: an iq result/error sent through the API answers a pending inbound iq, or nothing
  // (docs/contract.md: exactly one reply; a late reply from a subscriber is refused).
  'no-pending-iq': {
    type: 'cancel',
    condition: 'item-not-found',
    http: 404,
    text: 'No inbound iq is waiting for this reply: it was answered already, timed out, or never arrived',
  },
  // GraphQL: a subscriber read slower than stanzas arrived and its bounded buffer overflowed.
  'subscriber-overflow': {
    type: 'wait',
    condition: 'resource-constraint',
    http: 503,
    text: 'The subscriber did not keep up with inbound stanzas; its buffer overflowed and the subscription ended',
  },
  // GraphQL: the subscription caps (SUBSCRIPTIONS_PER_TOKEN_MAX, SUBSCRIPTIONS_MAX).
  'token-subscription-limit': {
    type: 'wait',
    condition: 'policy-violation',
    http: 429,
    text: 'This token has as many subscriptions open as it may (SUBSCRIPTIONS_PER_TOKEN_MAX): end one first',
  },
  'subscription-limit': {
    type: 'wait',
    condition: 'resource-constraint',
    http: 503,
    text: 'The gateway has as many subscriptions open as it may (SUBSCRIPTIONS_MAX): try again later',
  },
  // /rest: an archive query answered with more results than REST_MAX_ARCHIVE_RESULTS (the gateway
  // collects them into one reply; the server's answer is what is too large, hence a 5xx).
  'archive-too-large': {
    type: 'modify',
    condition: 'resource-constraint',
    http: 502,
    text: 'The archive answered with more results than the gateway collects; ask for fewer with max',
  },
  'method-not-allowed': { type: 'cancel', condition: 'not-allowed', http: 405, text: 'Method not allowed' },
  'not-found': { type: 'cancel', condition: 'item-not-found', http: 404, text: 'Not found' },
  internal: { type: 'wait', condition: 'internal-server-error', http: 500, text: 'Internal error' },
  // Webhook outcomes (docs/webhooks.md, "What the sender gets"): what the sender of the inbound
  // stanza gets.
  // The texts name no URL or address: they go to whoever sent the stanza.
  'callback-unreachable': {
    type: 'wait',
    condition: 'recipient-unavailable',
    http: 502,
    text: 'The callback could not be reached',
  },
  'callback-timeout': {
    type: 'wait',
    condition: 'recipient-unavailable',
    http: 504,
    text: 'The callback did not answer in time',
  },
  'invalid-callback-response': {
    type: 'wait',
    condition: 'internal-server-error',
    http: 502,
    text: 'Invalid callback response',
  },
  'delivery-interrupted': {
    type: 'wait',
    condition: 'recipient-unavailable',
    http: 503,
    text: 'The gateway restarted before the callback answered',
  },
  // Past WEBHOOK_QUEUE_MAX: an iq (its sender is waiting) or a delivery the log could not keep.
  'webhook-queue-full': {
    type: 'wait',
    condition: 'resource-constraint',
    http: 503,
    text: 'Too many deliveries are waiting for the callback',
  },
  'bad-cursor': { type: 'modify', condition: 'bad-request', http: 400, text: 'Not a cursor of this list' },
  'unknown-delivery': { type: 'cancel', condition: 'item-not-found', http: 404, text: 'No delivery with this id' },
  'delivery-log-off': {
    type: 'cancel',
    condition: 'feature-not-implemented',
    http: 501,
    text: 'The delivery log is off: it is kept only when CALLBACK_URL is set',
  },
  'database-unavailable': {
    type: 'wait',
    condition: 'service-unavailable',
    http: 503,
    text: 'The database (delivery log or inbound journal) is unreachable',
  },
  'journal-off': {
    type: 'cancel',
    condition: 'feature-not-implemented',
    http: 501,
    text: 'The inbound journal is off: it is kept only when INBOUND_JOURNAL_DAYS is above 0',
  },
  'cursor-expired': {
    type: 'cancel',
    condition: 'item-not-found',
    http: 410,
    text:
      'Stanzas after this cursor were pruned (INBOUND_JOURNAL_DAYS): resume without `after`, or from the ' +
      'oldest kept (the last endCursor of inboundStanzas)',
  },
} as const satisfies Record<string, { type: StanzaErrorType; condition: string; http: number; text: string }>;

export type FailureKind = keyof typeof failures;
