import type { ReplicaInfo } from './replica-set.ts';

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
  /** With `--replicas`: `url` is the proxy's, and these run behind it. */
  replicas?: { list: readonly ReplicaInfo[]; current: ReplicaInfo | undefined };
}

export function banner(info: DemoInfo): string {
  const auth = `--oauth2-bearer ${info.token}`;
  const c2s = new URL(info.c2sService);
  const sendMessage =
    `mutation { sendMessage(input: { to: "${info.user}", type: CHAT, body: "Hello from GraphQL!" }) ` +
    '{ __typename ... on SendMessageSuccess { sent { id xml } } } }';
  const graphql = (query: string) =>
    `curl -s ${info.url}/graphql ${auth} -H 'Content-Type: application/json' \\\n    -d '${JSON.stringify({ query })}'`;
  return `
Stanza Gateway demo is running.
  HTTP            ${info.url}   (token: ${info.token})
  console         ${info.url}/console/   (sign in with the token)
  component       ${info.domain}, on a throwaway Prosody
  XMPP account    ${info.user}  password ${info.userPassword}  (online here; its messages print below)
  XMPP clients    log in as ${info.user} with server ${c2s.hostname}, port ${c2s.port}, without TLS
                  (plain login, loopback only: set the server and port by hand, allow plaintext)
  webhook         an echo bot answers chat messages sent to ${info.bot} (or any address at ${info.domain})
  delivery log    ${info.database}

/rest — send a message to the demo account (202 Accepted):
  curl ${info.url}/rest ${auth} -H 'Content-Type: application/xmpp+xml' \\
    --data-binary '<message type="chat" to="${info.user}"><body>Hello from curl!</body></message>'

/rest — send an iq and get its reply (200, the reply stanza):
  curl ${info.url}/rest ${auth} -H 'Content-Type: application/xmpp+xml' \\
    --data-binary '<iq type="get" to="localhost"><ping xmlns="urn:xmpp:ping"/></iq>'

GraphQL — send a message, ping the server:
  ${graphql(sendMessage)}
  ${graphql('mutation { ping(to: "localhost") { __typename ... on Pong { rttMs } } }')}

GraphQL — the webhook's delivery log (chat with ${info.bot} from any XMPP client first, as ${info.user}):
  ${graphql('{ deliveries(first: 5) { nodes { createdAt from status outcome attemptCount } } }')}

The web console: open ${info.url}/console/ in a browser and sign in with the token above
  (deliveries, redeliver, the link and live traffic).

GraphiQL (subscriptions too): open ${info.url}/graphql in a browser and give it the token
  ${info.token}

${info.replicas ? replicasSection(info.url, info.replicas) : ''}Health and metrics: ${info.url}/readyz  ${info.url}/metrics

Press Ctrl-C to stop ${info.replicas ? 'the replicas, the proxy' : 'the gateway'}, the bot and Prosody, and remove their files.
`;
}

function replicasSection(proxyUrl: string, replicas: NonNullable<DemoInfo['replicas']>): string {
  const { list, current } = replicas;
  const rows = list.map(
    (replica) =>
      `  replica ${replica.number}       http://127.0.0.1:${replica.port}   pid ${replica.pid ?? '(restarting)'}` +
      (replica.number === current?.number ? '   <- the proxy sends here now' : ''),
  );
  const pid = current?.pid ?? '<pid>';
  return `Replicas: ${list.length} gateway processes with HA_ELECTION=on and one Postgres, behind a local proxy
  proxy           ${proxyUrl}   (each new connection goes to the replica whose /readyz answers 200)
${rows.join('\n')}

Try a takeover: kill -9 ${pid}   (the replica the proxy sends to) and watch the proxy switch;
  kill ${pid} (SIGTERM) is a graceful stop that hands over. The demo starts a replica that exits
  or is killed again about 1 s later, as a supervisor would, so you can do it again and again.
  Each replica's own /readyz says its role: curl http://127.0.0.1:${list[0]?.port ?? '<port>'}/readyz

`;
}
