/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment DeliverySummary on Delivery {\n  id\n  createdAt\n  kind\n  type\n  from\n  to\n  status\n  outcome\n  attemptCount\n  nextAttemptAt\n  finishedAt\n  redeliveryOf\n}\n\nfragment AttemptDetail on DeliveryAttempt {\n  number\n  startedAt\n  durationMs\n  httpStatus\n  responseExcerpt\n  responseTruncated\n  errorKind\n  errorText\n}\n\nquery DeliveryPage($first: Int, $after: String, $filter: DeliveryFilter) {\n  deliveries(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        ...DeliverySummary\n        attempts {\n          number\n          httpStatus\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery DeliveryDetail($id: ID!) {\n  delivery(id: $id) {\n    ...DeliverySummary\n    stanzaId\n    updatedAt\n    xml\n    replyXml\n    attempts {\n      ...AttemptDetail\n    }\n  }\n}\n\nmutation Redeliver($id: ID!) {\n  redeliver(id: $id) {\n    __typename\n    ... on RedeliverSuccess {\n      delivery {\n        ...DeliverySummary\n      }\n    }\n    ... on Error {\n      message\n    }\n  }\n}\n\nsubscription DeliveryUpdates($filter: DeliveryEventFilter) {\n  deliveries(filter: $filter) {\n    delivery {\n      ...DeliverySummary\n    }\n    attempt {\n      ...AttemptDetail\n    }\n  }\n}": typeof types.DeliverySummaryFragmentDoc,
    "query LinkStatus {\n  status {\n    domain\n    server\n    startedAt\n    uptimeSeconds\n    link {\n      state\n      since\n      lastError\n      retryAt\n      connects\n      reconnects\n    }\n    stanzasIn {\n      message\n      presence\n      iq\n      total\n    }\n    stanzasOut {\n      total\n    }\n    pendingIqs\n    queuedSends\n    subscriptions\n    webhooks {\n      deliveries {\n        inMemory\n        inFlight\n        retryWaiting\n        spilled\n        delivered\n        failed\n        retries\n      }\n      log {\n        database\n        state\n        lastError\n      }\n    }\n  }\n}\n\nsubscription Tail($filter: StanzaFilter) {\n  stanzas(filter: $filter, observe: true) {\n    __typename\n    kind\n    id\n    from\n    to\n    xml\n    ... on Message {\n      messageType: type\n      body\n    }\n    ... on Presence {\n      presenceType: type\n      status\n    }\n    ... on Iq {\n      iqType: type\n      payload {\n        name\n        xmlns\n      }\n    }\n  }\n}": typeof types.LinkStatusDocument,
    "query SignIn {\n  status {\n    domain\n  }\n}": typeof types.SignInDocument,
};
const documents: Documents = {
    "fragment DeliverySummary on Delivery {\n  id\n  createdAt\n  kind\n  type\n  from\n  to\n  status\n  outcome\n  attemptCount\n  nextAttemptAt\n  finishedAt\n  redeliveryOf\n}\n\nfragment AttemptDetail on DeliveryAttempt {\n  number\n  startedAt\n  durationMs\n  httpStatus\n  responseExcerpt\n  responseTruncated\n  errorKind\n  errorText\n}\n\nquery DeliveryPage($first: Int, $after: String, $filter: DeliveryFilter) {\n  deliveries(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        ...DeliverySummary\n        attempts {\n          number\n          httpStatus\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery DeliveryDetail($id: ID!) {\n  delivery(id: $id) {\n    ...DeliverySummary\n    stanzaId\n    updatedAt\n    xml\n    replyXml\n    attempts {\n      ...AttemptDetail\n    }\n  }\n}\n\nmutation Redeliver($id: ID!) {\n  redeliver(id: $id) {\n    __typename\n    ... on RedeliverSuccess {\n      delivery {\n        ...DeliverySummary\n      }\n    }\n    ... on Error {\n      message\n    }\n  }\n}\n\nsubscription DeliveryUpdates($filter: DeliveryEventFilter) {\n  deliveries(filter: $filter) {\n    delivery {\n      ...DeliverySummary\n    }\n    attempt {\n      ...AttemptDetail\n    }\n  }\n}": types.DeliverySummaryFragmentDoc,
    "query LinkStatus {\n  status {\n    domain\n    server\n    startedAt\n    uptimeSeconds\n    link {\n      state\n      since\n      lastError\n      retryAt\n      connects\n      reconnects\n    }\n    stanzasIn {\n      message\n      presence\n      iq\n      total\n    }\n    stanzasOut {\n      total\n    }\n    pendingIqs\n    queuedSends\n    subscriptions\n    webhooks {\n      deliveries {\n        inMemory\n        inFlight\n        retryWaiting\n        spilled\n        delivered\n        failed\n        retries\n      }\n      log {\n        database\n        state\n        lastError\n      }\n    }\n  }\n}\n\nsubscription Tail($filter: StanzaFilter) {\n  stanzas(filter: $filter, observe: true) {\n    __typename\n    kind\n    id\n    from\n    to\n    xml\n    ... on Message {\n      messageType: type\n      body\n    }\n    ... on Presence {\n      presenceType: type\n      status\n    }\n    ... on Iq {\n      iqType: type\n      payload {\n        name\n        xmlns\n      }\n    }\n  }\n}": types.LinkStatusDocument,
    "query SignIn {\n  status {\n    domain\n  }\n}": types.SignInDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment DeliverySummary on Delivery {\n  id\n  createdAt\n  kind\n  type\n  from\n  to\n  status\n  outcome\n  attemptCount\n  nextAttemptAt\n  finishedAt\n  redeliveryOf\n}\n\nfragment AttemptDetail on DeliveryAttempt {\n  number\n  startedAt\n  durationMs\n  httpStatus\n  responseExcerpt\n  responseTruncated\n  errorKind\n  errorText\n}\n\nquery DeliveryPage($first: Int, $after: String, $filter: DeliveryFilter) {\n  deliveries(first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        ...DeliverySummary\n        attempts {\n          number\n          httpStatus\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery DeliveryDetail($id: ID!) {\n  delivery(id: $id) {\n    ...DeliverySummary\n    stanzaId\n    updatedAt\n    xml\n    replyXml\n    attempts {\n      ...AttemptDetail\n    }\n  }\n}\n\nmutation Redeliver($id: ID!) {\n  redeliver(id: $id) {\n    __typename\n    ... on RedeliverSuccess {\n      delivery {\n        ...DeliverySummary\n      }\n    }\n    ... on Error {\n      message\n    }\n  }\n}\n\nsubscription DeliveryUpdates($filter: DeliveryEventFilter) {\n  deliveries(filter: $filter) {\n    delivery {\n      ...DeliverySummary\n    }\n    attempt {\n      ...AttemptDetail\n    }\n  }\n}"): typeof import('./graphql.js').DeliverySummaryFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query LinkStatus {\n  status {\n    domain\n    server\n    startedAt\n    uptimeSeconds\n    link {\n      state\n      since\n      lastError\n      retryAt\n      connects\n      reconnects\n    }\n    stanzasIn {\n      message\n      presence\n      iq\n      total\n    }\n    stanzasOut {\n      total\n    }\n    pendingIqs\n    queuedSends\n    subscriptions\n    webhooks {\n      deliveries {\n        inMemory\n        inFlight\n        retryWaiting\n        spilled\n        delivered\n        failed\n        retries\n      }\n      log {\n        database\n        state\n        lastError\n      }\n    }\n  }\n}\n\nsubscription Tail($filter: StanzaFilter) {\n  stanzas(filter: $filter, observe: true) {\n    __typename\n    kind\n    id\n    from\n    to\n    xml\n    ... on Message {\n      messageType: type\n      body\n    }\n    ... on Presence {\n      presenceType: type\n      status\n    }\n    ... on Iq {\n      iqType: type\n      payload {\n        name\n        xmlns\n      }\n    }\n  }\n}"): typeof import('./graphql.js').LinkStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SignIn {\n  status {\n    domain\n  }\n}"): typeof import('./graphql.js').SignInDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
