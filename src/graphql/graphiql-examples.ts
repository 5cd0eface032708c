/**
 * The tabs GraphiQL opens with the first time (afterwards it restores the user's own tabs):
 * one operation per thing this API is for, addressed to the gateway's own domain so that each
 * works as it is.
 */
export interface ExampleTab {
  query: string;
}

export function exampleTabs(domain: string): ExampleTab[] {
  const bot = `bot@${domain}`;
  return [
    {
      query: `# The gateway and its XMPP link. Run an operation with ▶ (or Ctrl-Enter);
# the other tabs hold one example each: ping, send, subscribe, deliveries.
query Status {
  status {
    domain
    server
    link { state since lastError }
    uptimeSeconds
    stanzasIn { message presence iq total }
    stanzasOut { total }
    subscriptions
  }
}
`,
    },
    {
      query: `# An XMPP ping (XEP-0199): the gateway's own domain answers it; try your server's domain too.
query Ping {
  ping(to: "${domain}") {
    __typename
    ... on Pong { rttMs }
    ... on Error { message condition }
  }
}
`,
    },
    {
      query: `# Send a message. Addressed to ${bot}, it comes back in through the XMPP server:
# run the "Inbound" subscription in another window to see it arrive.
mutation SendMessage {
  sendMessage(input: { to: "${bot}", type: CHAT, body: "Hello from GraphiQL" }) {
    __typename
    ... on SendMessageSuccess { sent { id xml } }
    ... on InvalidInput { field }
    ... on Error { message condition }
  }
}
`,
    },
    {
      query: `# Every stanza routed to ${domain} or an address at it, live (graphql-ws).
# Leave it running and write to ${bot} from any XMPP client.
subscription Inbound {
  stanzas(filter: { kinds: [MESSAGE, PRESENCE, IQ] }) {
    __typename
    from
    to
    id
    ... on Message { type body }
    xml
  }
}
`,
    },
    {
      query: `# The webhook delivery log, newest first (kept only when CALLBACK_URL is set).
query Deliveries {
  deliveries(first: 10) {
    edges { node { id createdAt kind from status outcome attemptCount } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    },
  ];
}
