import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { buildApp, type App } from '../../src/server.ts';
import { TEST_TOKEN } from '../support/gateway.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The reconnect schedule against a listener that hangs up on every connection (a server that is
 * up but keeps failing): the gateway waits between tries, and waits longer each time. Nothing
 * else shows it: a schedule of zero or a constant one still reconnects, only much too often.
 */
const MIN_MS = 200;
const MAX_MS = 5_000;
let listener: Server;
let port: number;
const accepted: number[] = [];
let app: App | undefined;

before(async () => {
  listener = createServer((socket) => {
    accepted.push(performance.now());
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
});

after(async () => {
  await app?.stop();
  await new Promise((resolve) => listener.close(resolve));
});

it('connections that fail once made: each retry waits, exponentially longer, with jitter', async () => {
  const config = loadConfig({
    XMPP_SERVICE: `xmpp://127.0.0.1:${port}`,
    XMPP_DOMAIN: 'rest.localhost',
    XMPP_SECRET: 'secret',
    API_TOKENS: TEST_TOKEN,
    HTTP_PORT: '0',
    XMPP_RECONNECT_MIN_MS: String(MIN_MS),
    XMPP_RECONNECT_MAX_MS: String(MAX_MS),
  });
  app = buildApp(config, createLogger('silent'));
  await app.start();
  await waitUntil(() => accepted.length >= 5, 10_000, 'five connections');
  const status = app.core.status().link;
  assert.equal(status.connects, 0);
  const gaps = accepted.slice(1, 5).map((at, index) => at - accepted[index]!);
  // Failure n waits between half and all of MIN_MS·2^(n-1) (equal jitter), plus the connect.
  gaps.forEach((gap, index) => {
    const step = MIN_MS * 2 ** index;
    assert.ok(gap >= step / 2 - 10, `retry ${index + 1} after ${gap.toFixed(0)} ms, not before ${step / 2} ms`);
  });
  assert.ok(gaps[3]! > 2 * MIN_MS * 2, `the fourth wait grew: ${gaps.map((gap) => gap.toFixed(0)).join(', ')} ms`);
  // While it waits, the next try is scheduled and shown (status, /readyz's Retry-After).
  await waitUntil(() => app!.core.status().link.state === 'waiting', 5_000, 'the waiting state');
  const { retryAt } = app.core.status().link;
  assert.ok(retryAt && retryAt.getTime() > Date.now(), `retryAt ${retryAt?.toISOString()} is ahead`);
});
