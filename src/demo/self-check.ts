import type { DemoUser } from './demo-user.ts';

/**
 * The demo's non-interactive proof that it works, one check per face: a message through /rest
 * that the demo account really receives, an iq ping through /rest that returns a result, and a
 * chat with the echo bot (XMPP → webhook → reply) that GraphQL then finds in the delivery log
 * (the embedded database by default), and the web console's page and script. Returns what failed.
 */
export interface SelfCheckTarget {
  url: string;
  token: string;
  user: DemoUser;
  botJid: string;
}

function arrival(user: DemoUser, match: (from: string, body: string) => boolean, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    user.onMessage((from, body) => {
      if (match(from, body)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
}

export async function selfCheck(target: SelfCheckTarget): Promise<string[]> {
  const problems: string[] = [];
  const rest = (body: string) =>
    fetch(`${target.url}/rest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/xmpp+xml' },
      body,
    });

  const text = `self-check ${Date.now()}`;
  const received = arrival(target.user, (_from, body) => body === text);
  const message = await rest(`<message type="chat" to="${target.user.jid}"><body>${text}</body></message>`);
  if (message.status !== 202) problems.push(`/rest message: ${message.status} ${await message.text()}`);
  else if (!(await received))
    problems.push('/rest message: accepted, but the demo account did not receive it within 5 s');

  const ping = await rest('<iq type="get" to="localhost"><ping xmlns="urn:xmpp:ping"/></iq>');
  const reply = await ping.text();
  if (ping.status !== 200 || !/type='result'/.test(reply)) problems.push(`/rest iq ping: ${ping.status} ${reply}`);

  const echoed = arrival(target.user, (from, body) => from.startsWith(target.botJid) && body === `echo: ${text}`);
  await target.user.sendMessage(target.botJid, text);
  if (!(await echoed)) problems.push(`webhook: no echo from ${target.botJid} within 5 s`);
  else if (!(await loggedInGraphql(target, text)))
    problems.push('GraphQL: the echo delivery is not in the delivery log');
  const consoleProblem = await consoleServed(target.url);
  if (consoleProblem) problems.push(`console: ${consoleProblem}`);
  return problems;
}

/** The page and the script it names, as a browser would load them. */
async function consoleServed(url: string): Promise<string | undefined> {
  const page = await fetch(`${url}/console/`);
  const html = await page.text();
  const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
  if (page.status !== 200 || !script) return `GET /console/: ${page.status}`;
  const asset = await fetch(new URL(script, `${url}/console/`));
  await asset.arrayBuffer();
  if (asset.status !== 200) return `GET ${script}: ${asset.status}`;
  return undefined;
}

/** The delivery log is written behind the delivery: look for a little while. */
async function loggedInGraphql(target: SelfCheckTarget, text: string): Promise<boolean> {
  const query = '{ deliveries(first: 5, filter: { kind: MESSAGE }) { nodes { status xml } } }';
  for (
    const deadline = Date.now() + 5000;
    Date.now() < deadline;
    await new Promise((resolve) => setTimeout(resolve, 100))
  ) {
    const response = await fetch(`${target.url}/graphql`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const result = (await response.json()) as { data?: { deliveries: { nodes: { status: string; xml: string }[] } } };
    const nodes = result.data?.deliveries.nodes ?? [];
    if (nodes.some((node) => node.status === 'DELIVERED' && node.xml.includes(text))) return true;
  }
  return false;
}
