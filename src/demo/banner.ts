/** What the demo prints once everything is up: ready-to-paste commands for each face. */
export interface DemoInfo {
  url: string;
  token: string;
  domain: string;
  user: string;
  userPassword: string;
  c2sService: string;
  bot: string;
  database: string;
}

export function banner(info: DemoInfo): string {
  const auth = `--oauth2-bearer ${info.token}`;
  const graphql = (query: string) =>
    `curl -s ${info.url}/graphql ${auth} -H 'Content-Type: application/json' \\\n    -d '${JSON.stringify({ query })}'`;
  return `
Stanza Gateway demo is running.
  HTTP            ${info.url}   (token: ${info.token})
  console         ${info.url}/console/   (sign in with the token)
  component       ${info.domain}, on a throwaway Prosody (client port ${info.c2sService})
  XMPP account    ${info.user}  password ${info.userPassword}  (online here; its messages print below)
  webhook         an echo bot answers chat messages sent to ${info.bot} (or any address at ${info.domain})
  delivery log    ${info.database}

/rest — send a message to the demo account (202 Accepted):
  curl ${info.url}/rest ${auth} -H 'Content-Type: application/xmpp+xml' \\
    --data-binary '<message type="chat" to="${info.user}"><body>Hello from curl!</body></message>'

/rest — send an iq and get its reply (200, the reply stanza):
  curl ${info.url}/rest ${auth} -H 'Content-Type: application/xmpp+xml' \\
    --data-binary '<iq type="get" to="localhost"><ping xmlns="urn:xmpp:ping"/></iq>'

GraphQL — send a message, ping the server:
  ${graphql(`mutation { sendMessage(input: { to: "${info.user}", type: CHAT, body: "Hello from GraphQL!" }) { __typename ... on SendMessageSuccess { sent { id xml } } } }`)}
  ${graphql('mutation { ping(to: "localhost") { __typename ... on Pong { rttMs } } }')}

GraphQL — the webhook's delivery log (chat with ${info.bot} from any XMPP client first, as ${info.user}):
  ${graphql('{ deliveries(first: 5) { nodes { createdAt from status outcome attemptCount } } }')}

The web console: open ${info.url}/console/ in a browser and sign in with the token above
  (deliveries, redeliver, the link and live traffic).

GraphiQL (subscriptions too): open ${info.url}/graphql in a browser and put
  {"Authorization": "Bearer ${info.token}"}  in its Headers tab.

Health and metrics: ${info.url}/readyz  ${info.url}/metrics

Press Ctrl-C to stop the gateway, the bot and Prosody, and remove their files.
`;
}
