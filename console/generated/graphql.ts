/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type DeliveryEventFilter = {
  /** The sender: a bare JID matches all its resources, a full JID exactly. */
  from?: string | null | undefined;
  kind?: StanzaKind | null | undefined;
  status?: DeliveryStatus | null | undefined;
};

export type DeliveryFilter = {
  /** The sender: a bare JID matches all its resources, a full JID exactly. */
  from?: string | null | undefined;
  kind?: StanzaKind | null | undefined;
  /** Created at or after. */
  since?: string | null | undefined;
  status?: DeliveryStatus | null | undefined;
  /** Created before. */
  until?: string | null | undefined;
};

export type DeliveryLogDatabase =
  /** The embedded database under DATA_DIR. */
  | 'EMBEDDED'
  /** Postgres (DATABASE_URL). */
  | 'POSTGRES';

export type DeliveryLogState =
  /** Closed: the gateway is stopping. */
  | 'CLOSED'
  /** Unreachable: writes wait in memory (DELIVERY_LOG_BUFFER_MAX); deliveries go on. */
  | 'DOWN'
  /** Takes writes. */
  | 'UP';

export type DeliveryStatus =
  /** The callback took it (2xx); its reply, if any, was sent back. */
  | 'DELIVERED'
  /** Given up: the sender got the stanza error, if any was due. */
  | 'FAILED'
  /** Accepted; attempts are still to come (or running). */
  | 'PENDING';

export type IqType =
  | 'ERROR'
  | 'GET'
  | 'RESULT'
  | 'SET';

export type LinkState =
  /** Authenticated; checking that no other connection serves the component domain. */
  | 'CHECKING'
  /** Connecting or authenticating. */
  | 'CONNECTING'
  /** Refused by the server for good (wrong domain or secret); not retrying. */
  | 'FAILED'
  /** Not started yet. */
  | 'IDLE'
  /** Connected: stanzas flow. */
  | 'ONLINE'
  /** Connected but not online: another connection serves the component domain. Stanzas that reach this one are relayed to it; this one takes over when it goes. */
  | 'STANDBY'
  /** The gateway is stopping. */
  | 'STOPPED'
  /** Disconnected; the next attempt is scheduled (retryAt). */
  | 'WAITING';

export type MessageType =
  | 'CHAT'
  | 'ERROR'
  | 'GROUPCHAT'
  | 'HEADLINE'
  | 'NORMAL';

/** AVAILABLE is a presence without a type attribute. */
export type PresenceType =
  | 'AVAILABLE'
  | 'ERROR'
  | 'PROBE'
  | 'SUBSCRIBE'
  | 'SUBSCRIBED'
  | 'UNAVAILABLE'
  | 'UNSUBSCRIBE'
  | 'UNSUBSCRIBED';

/** Each list is "any of"; the lists combine with "and"; an absent or empty list lets everything through. */
export type StanzaFilter = {
  /** A bare JID matches all its resources; a full JID matches exactly. */
  from?: Array<string> | null | undefined;
  kinds?: Array<StanzaKind> | null | undefined;
  /** Addresses at the component domain; same matching as `from`. */
  to?: Array<string> | null | undefined;
  /** Type attribute values; a message without type is `normal`, a presence without type is `available`. */
  types?: Array<string> | null | undefined;
  /** Namespaces of child elements (e.g. `urn:xmpp:ping`); `jabber:client` matches body/subject/thread. */
  xmlns?: Array<string> | null | undefined;
};

export type StanzaKind =
  | 'IQ'
  | 'MESSAGE'
  | 'PRESENCE';

export type DeliverySummaryFragment = { id: string, createdAt: string, kind: StanzaKind, type: string | null, from: string, to: string, status: DeliveryStatus, outcome: string | null, attemptCount: number, nextAttemptAt: string | null, finishedAt: string | null, redeliveryOf: string | null };

export type AttemptDetailFragment = { number: number, startedAt: string, durationMs: number, httpStatus: number | null, responseExcerpt: string | null, responseTruncated: boolean, errorKind: string | null, errorText: string | null };

export type DeliveryPageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: DeliveryFilter | null | undefined;
}>;


export type DeliveryPageQuery = { deliveries: { edges: Array<{ cursor: string, node: { id: string, createdAt: string, kind: StanzaKind, type: string | null, from: string, to: string, status: DeliveryStatus, outcome: string | null, attemptCount: number, nextAttemptAt: string | null, finishedAt: string | null, redeliveryOf: string | null, attempts: Array<{ number: number, httpStatus: number | null }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type DeliveryDetailQueryVariables = Exact<{
  id: string | number;
}>;


export type DeliveryDetailQuery = { delivery: { stanzaId: string, updatedAt: string, xml: string, replyXml: string | null, id: string, createdAt: string, kind: StanzaKind, type: string | null, from: string, to: string, status: DeliveryStatus, outcome: string | null, attemptCount: number, nextAttemptAt: string | null, finishedAt: string | null, redeliveryOf: string | null, attempts: Array<{ number: number, startedAt: string, durationMs: number, httpStatus: number | null, responseExcerpt: string | null, responseTruncated: boolean, errorKind: string | null, errorText: string | null }> } | null };

export type RedeliverMutationVariables = Exact<{
  id: string | number;
}>;


export type RedeliverMutation = { redeliver:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'RedeliverSuccess', delivery: { id: string, createdAt: string, kind: StanzaKind, type: string | null, from: string, to: string, status: DeliveryStatus, outcome: string | null, attemptCount: number, nextAttemptAt: string | null, finishedAt: string | null, redeliveryOf: string | null } }
    | { __typename: 'Unavailable', message: string }
   };

export type DeliveryUpdatesSubscriptionVariables = Exact<{
  filter?: DeliveryEventFilter | null | undefined;
}>;


export type DeliveryUpdatesSubscription = { deliveries: { delivery: { id: string, createdAt: string, kind: StanzaKind, type: string | null, from: string, to: string, status: DeliveryStatus, outcome: string | null, attemptCount: number, nextAttemptAt: string | null, finishedAt: string | null, redeliveryOf: string | null }, attempt: { number: number, startedAt: string, durationMs: number, httpStatus: number | null, responseExcerpt: string | null, responseTruncated: boolean, errorKind: string | null, errorText: string | null } | null } };

export type LinkStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type LinkStatusQuery = { status: { domain: string, server: string, startedAt: string, uptimeSeconds: number, pendingIqs: number, queuedSends: number, subscriptions: number, link: { state: LinkState, since: string, lastError: string | null, retryAt: string | null, connects: number, reconnects: number }, stanzasIn: { message: number, presence: number, iq: number, total: number }, stanzasOut: { total: number }, webhooks: { deliveries: { inMemory: number, inFlight: number, retryWaiting: number, spilled: number, delivered: number, failed: number, retries: number }, log: { database: DeliveryLogDatabase, state: DeliveryLogState, lastError: string | null } } | null } };

export type TailSubscriptionVariables = Exact<{
  filter?: StanzaFilter | null | undefined;
}>;


export type TailSubscription = { stanzas:
    | { __typename: 'Iq', kind: StanzaKind, id: string, from: string, to: string, xml: string, iqType: IqType | null, payload: { name: string, xmlns: string } | null }
    | { __typename: 'Message', body: string | null, kind: StanzaKind, id: string, from: string, to: string, xml: string, messageType: MessageType }
    | { __typename: 'Presence', status: string | null, kind: StanzaKind, id: string, from: string, to: string, xml: string, presenceType: PresenceType | null }
   };

export type SignInQueryVariables = Exact<{ [key: string]: never; }>;


export type SignInQuery = { status: { domain: string } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const DeliverySummaryFragmentDoc = new TypedDocumentString(`
    fragment DeliverySummary on Delivery {
  id
  createdAt
  kind
  type
  from
  to
  status
  outcome
  attemptCount
  nextAttemptAt
  finishedAt
  redeliveryOf
}
    `, {"fragmentName":"DeliverySummary"}) as unknown as TypedDocumentString<DeliverySummaryFragment, unknown>;
export const AttemptDetailFragmentDoc = new TypedDocumentString(`
    fragment AttemptDetail on DeliveryAttempt {
  number
  startedAt
  durationMs
  httpStatus
  responseExcerpt
  responseTruncated
  errorKind
  errorText
}
    `, {"fragmentName":"AttemptDetail"}) as unknown as TypedDocumentString<AttemptDetailFragment, unknown>;
export const DeliveryPageDocument = new TypedDocumentString(`
    query DeliveryPage($first: Int, $after: String, $filter: DeliveryFilter) {
  deliveries(first: $first, after: $after, filter: $filter) {
    edges {
      cursor
      node {
        ...DeliverySummary
        attempts {
          number
          httpStatus
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment DeliverySummary on Delivery {
  id
  createdAt
  kind
  type
  from
  to
  status
  outcome
  attemptCount
  nextAttemptAt
  finishedAt
  redeliveryOf
}`) as unknown as TypedDocumentString<DeliveryPageQuery, DeliveryPageQueryVariables>;
export const DeliveryDetailDocument = new TypedDocumentString(`
    query DeliveryDetail($id: ID!) {
  delivery(id: $id) {
    ...DeliverySummary
    stanzaId
    updatedAt
    xml
    replyXml
    attempts {
      ...AttemptDetail
    }
  }
}
    fragment DeliverySummary on Delivery {
  id
  createdAt
  kind
  type
  from
  to
  status
  outcome
  attemptCount
  nextAttemptAt
  finishedAt
  redeliveryOf
}
fragment AttemptDetail on DeliveryAttempt {
  number
  startedAt
  durationMs
  httpStatus
  responseExcerpt
  responseTruncated
  errorKind
  errorText
}`) as unknown as TypedDocumentString<DeliveryDetailQuery, DeliveryDetailQueryVariables>;
export const RedeliverDocument = new TypedDocumentString(`
    mutation Redeliver($id: ID!) {
  redeliver(id: $id) {
    __typename
    ... on RedeliverSuccess {
      delivery {
        ...DeliverySummary
      }
    }
    ... on Error {
      message
    }
  }
}
    fragment DeliverySummary on Delivery {
  id
  createdAt
  kind
  type
  from
  to
  status
  outcome
  attemptCount
  nextAttemptAt
  finishedAt
  redeliveryOf
}`) as unknown as TypedDocumentString<RedeliverMutation, RedeliverMutationVariables>;
export const DeliveryUpdatesDocument = new TypedDocumentString(`
    subscription DeliveryUpdates($filter: DeliveryEventFilter) {
  deliveries(filter: $filter) {
    delivery {
      ...DeliverySummary
    }
    attempt {
      ...AttemptDetail
    }
  }
}
    fragment DeliverySummary on Delivery {
  id
  createdAt
  kind
  type
  from
  to
  status
  outcome
  attemptCount
  nextAttemptAt
  finishedAt
  redeliveryOf
}
fragment AttemptDetail on DeliveryAttempt {
  number
  startedAt
  durationMs
  httpStatus
  responseExcerpt
  responseTruncated
  errorKind
  errorText
}`) as unknown as TypedDocumentString<DeliveryUpdatesSubscription, DeliveryUpdatesSubscriptionVariables>;
export const LinkStatusDocument = new TypedDocumentString(`
    query LinkStatus {
  status {
    domain
    server
    startedAt
    uptimeSeconds
    link {
      state
      since
      lastError
      retryAt
      connects
      reconnects
    }
    stanzasIn {
      message
      presence
      iq
      total
    }
    stanzasOut {
      total
    }
    pendingIqs
    queuedSends
    subscriptions
    webhooks {
      deliveries {
        inMemory
        inFlight
        retryWaiting
        spilled
        delivered
        failed
        retries
      }
      log {
        database
        state
        lastError
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LinkStatusQuery, LinkStatusQueryVariables>;
export const TailDocument = new TypedDocumentString(`
    subscription Tail($filter: StanzaFilter) {
  stanzas(filter: $filter, observe: true) {
    __typename
    kind
    id
    from
    to
    xml
    ... on Message {
      messageType: type
      body
    }
    ... on Presence {
      presenceType: type
      status
    }
    ... on Iq {
      iqType: type
      payload {
        name
        xmlns
      }
    }
  }
}
    `) as unknown as TypedDocumentString<TailSubscription, TailSubscriptionVariables>;
export const SignInDocument = new TypedDocumentString(`
    query SignIn {
  status {
    domain
  }
}
    `) as unknown as TypedDocumentString<SignInQuery, SignInQueryVariables>;