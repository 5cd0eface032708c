/** What the demo prints once everything is up: ready-to-paste commands. */
export interface DemoInfo {
  url: string;
  token: string;
  domain: string;
  user: string;
  userPassword: string;
  c2sService: string;
}

export function banner(info: DemoInfo): string {
  const auth = `--oauth2-bearer ${info.token}`;
  return `
Stanza Gateway demo is running.
  HTTP            ${info.url}   (token: ${info.token})
  component       ${info.domain}, on a throwaway Prosody (client port ${info.c2sService})
  XMPP account    ${info.user}  password ${info.userPassword}  (online here; its messages print below)

Send a message to the demo account (202 Accepted):
  curl ${info.url}/rest ${auth} -H 'Content-Type: application/xmpp+xml' \\
    --data-binary '<message type="chat" to="${info.user}"><body>Hello from curl!</body></message>'

Send an iq and get its reply (200, the reply stanza):
  curl ${info.url}/rest ${auth} -H 'Content-Type: application/xmpp+xml' \\
    --data-binary '<iq type="get" to="localhost"><ping xmlns="urn:xmpp:ping"/></iq>'

Health and metrics: ${info.url}/readyz  ${info.url}/metrics

Press Ctrl-C to stop the gateway and Prosody and remove their files.
`;
}
