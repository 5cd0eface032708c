import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, it } from 'node:test';
import { isListening } from '../../src/demo/ports.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { waitUntil } from '../support/wait.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Prosody crashes (SIGKILL) while /rest messages flow at a steady rate to a connected client,
 * and is started again after an outage. Every message answered 202 must reach the client
 * (written again after the reconnect if it was not acknowledged); duplicates are allowed
 * (at-least-once) and reported. The link must be back within 1 s of Prosody listening, with
 * the default reconnect settings (a growing back-off would take seconds after this outage).
 */
const RATE_PER_SECOND = 1000;
const BEFORE_CRASH_MS = 1500;
const OUTAGE_MS = 4000;
const AFTER_RESTART_MS = 1500;

let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;

before(async () => {
  // Offline storage on, as on a production server: what arrives while alice reconnects waits.
  prosody = await startXmppServer({ users: { alice: 'alice-pw' }, offlineMessages: true });
  gateway = await startGateway(prosody, {
    XMPP_RECONNECT_MIN_MS: '500',
    XMPP_RECONNECT_MAX_MS: '30000',
    XMPP_SEND_DEADLINE_MS: '15000',
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw');
  // @xmpp/client reconnects by itself; its presence makes Prosody deliver (and flush offline messages).
  alice.client.on('online', () => void alice.client.send(xml('presence')).catch(() => {}));
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

/** POST /rest over at most `sockets` keep-alive connections (more requests wait in the client), as a busy caller does. */
function restPool(gateway: TestGateway, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(gateway.url);
  const headers = { Authorization: `Bearer ${gateway.token}`, 'Content-Type': 'application/xmpp+xml' };
  return {
    post: (body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ agent, hostname, port, path: '/rest', method: 'POST', headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** Resolves at the first moment the port accepts a connection (polled every 5 ms). */
async function listening(port: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isListening(port)) return performance.now();
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

it('SIGKILL while messages flow: every 202 reaches the client; the link is back within 1 s of Prosody listening', async (t) => {
  const statuses = new Map<string, number>();
  const requests: Promise<void>[] = [];
  let sending = true;
  let sent = 0;
  const pool = restPool(gateway, 64);
  const flow = (async () => {
    const started = performance.now();
    while (sending) {
      // A steady rate, whatever the answers take: requests are not waited for before the next.
      const due = Math.floor(((performance.now() - started) / 1000) * RATE_PER_SECOND);
      for (; sent < due; sent += 1) {
        const id = `crash-${sent}`;
        requests.push(
          pool
            .post(`<message type='chat' to='alice@localhost' id='${id}'><body>${id}</body></message>`)
            .then((status) => void statuses.set(id, status))
            .catch(() => void statuses.set(id, 0)),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();

  await new Promise((resolve) => setTimeout(resolve, BEFORE_CRASH_MS));
  prosody.signal('SIGKILL');
  await waitUntil(() => !gateway.app.core.online, 5000, 'the link to notice the crash');
  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  const listeningAt = listening(prosody.componentPort, 15_000);
  await prosody.start();
  const since = await listeningAt;
  await waitUntil(() => gateway.app.core.online, 10_000, 'the link to come back');
  const backAfterMs = performance.now() - since;
  await new Promise((resolve) => setTimeout(resolve, AFTER_RESTART_MS));
  sending = false;
  await flow;
  await Promise.all(requests);
  pool.close();

  const accepted = [...statuses].filter(([, status]) => status === 202).map(([id]) => id);
  const others = [...statuses].filter(([, status]) => status !== 202);
  await waitUntil(
    () => {
      const ids = new Set(alice.received.map((stanza) => stanza.attrs.id));
      return accepted.every((id) => ids.has(id));
    },
    20_000,
    'every accepted message at the client',
  ).catch(() => {});
  const counts = new Map<string, number>();
  for (const stanza of alice.received) {
    const id = stanza.attrs.id;
    if (stanza.name === 'message' && id?.startsWith('crash-')) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const lost = accepted.filter((id) => !counts.has(id));
  const duplicates = [...counts.values()].filter((count) => count > 1).length;
  t.diagnostic(
    `${sent} sent, ${accepted.length} answered 202, ${others.length} other answers, ${lost.length} lost, ` +
      `${duplicates} delivered more than once; link back ${backAfterMs.toFixed(0)} ms after Prosody listened`,
  );
  assert.deepEqual(lost, [], 'every message answered 202 reached the client');
  assert.deepEqual(others, [], 'within the send deadline every message is accepted');
  assert.ok(backAfterMs <= 1000, `the link came back ${backAfterMs.toFixed(0)} ms after Prosody listened`);
});
