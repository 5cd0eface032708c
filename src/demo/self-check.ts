import type { DemoUser } from './demo-user.ts';

/**
 * The demo's non-interactive proof that it works: a message through /rest that the demo account
 * really receives, and an iq ping through /rest that returns a result. Returns what failed.
 */
export async function selfCheck(target: { url: string; token: string; user: DemoUser }): Promise<string[]> {
  const problems: string[] = [];
  const headers = { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/xmpp+xml' };
  const text = `self-check ${Date.now()}`;
  const received = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5000);
    target.user.onMessage((_from, body) => {
      if (body === text) {
        clearTimeout(timer);
        resolve(true);
      }
    });
  });
  const message = await fetch(`${target.url}/rest`, {
    method: 'POST',
    headers,
    body: `<message type="chat" to="${target.user.jid}"><body>${text}</body></message>`,
  });
  if (message.status !== 202) problems.push(`message: POST /rest answered ${message.status}: ${await message.text()}`);
  else if (!(await received)) problems.push('message: accepted, but the demo account did not receive it within 5 s');

  const ping = await fetch(`${target.url}/rest`, {
    method: 'POST',
    headers,
    body: '<iq type="get" to="localhost"><ping xmlns="urn:xmpp:ping"/></iq>',
  });
  const reply = await ping.text();
  if (ping.status !== 200 || !/type='result'/.test(reply)) problems.push(`iq ping: ${ping.status} ${reply}`);
  return problems;
}
