import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { rest, type RestResponse } from '../support/rest-client.ts';
import { waitStopped } from '../support/process-state.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * Prosody hangs (SIGSTOP for 20 s) without closing the socket. The liveness ping declares the
 * link dead within the ping interval plus its timeout; an iq written before that fails at once
 * with 503 (not at its own timeout), sends get 503 by their deadline, and after SIGCONT
 * everything works again.
 */
const PING_INTERVAL_MS = 1000;
const PING_TIMEOUT_MS = 1000;
const SEND_DEADLINE_MS = 3000;
const IQ_TIMEOUT_MS = 15_000;
// The watchdog looks every quarter of the shorter period; the rest is room for a loaded machine.
const DETECTION_SLACK_MS = 1500;

let prosody: XmppServer;
let gateway: TestGateway;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, {
    XMPP_PING_INTERVAL_MS: String(PING_INTERVAL_MS),
    XMPP_PING_TIMEOUT_MS: String(PING_TIMEOUT_MS),
    XMPP_SEND_DEADLINE_MS: String(SEND_DEADLINE_MS),
    IQ_TIMEOUT_MS: String(IQ_TIMEOUT_MS),
  });
});

after(async () => {
  prosody?.signal('SIGCONT');
  await gateway?.stop();
  await prosody?.dispose();
});

const PING = "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>";
const timed = async (request: Promise<RestResponse>) => {
  const started = performance.now();
  const response = await request;
  return { response, ms: performance.now() - started };
};

it('SIGSTOP for 20 s: the link is declared dead in time, requests get 503, and it recovers after SIGCONT', async () => {
  const ping = await rest(gateway, { body: PING });
  assert.equal(ping.status, 200);

  // Quiet for a moment, so that detection starts from an idle link (the ping interval counts).
  await new Promise((resolve) => setTimeout(resolve, 200));
  prosody.signal('SIGSTOP');
  const stoppedAt = performance.now();
  await waitStopped(prosody.pid!);
  try {
    // Written while the link still looks up: neither can be answered.
    const iq = timed(rest(gateway, { body: PING }));
    const message = timed(rest(gateway, { body: "<message to='alice@localhost'><body>hang</body></message>" }));

    await waitUntil(() => !gateway.app.core.online, 10_000, 'the link to be declared dead');
    const detectedMs = performance.now() - stoppedAt;
    assert.ok(
      detectedMs <= PING_INTERVAL_MS + PING_TIMEOUT_MS + DETECTION_SLACK_MS,
      `declared dead after ${detectedMs.toFixed(0)} ms`,
    );
    assert.match(gateway.app.core.status().link.lastError ?? '', /did not answer within 1000 ms/);

    const iqResult = await iq;
    assert.equal(iqResult.response.status, 503, 'a pending iq fails once the link is declared dead');
    assert.ok(iqResult.ms < detectedMs + 1000, `the iq failed after ${iqResult.ms.toFixed(0)} ms, not at its timeout`);
    assert.match(iqResult.response.body, /went down before the reply arrived/);

    const messageResult = await message;
    assert.equal(messageResult.response.status, 503);
    assert.match(messageResult.response.body, /did not confirm the stanza in time/);
    assert.ok(messageResult.ms < SEND_DEADLINE_MS + 1000, `answered after ${messageResult.ms.toFixed(0)} ms`);

    // Well into the hang: a new request waits for its deadline, then 503.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const later = await timed(rest(gateway, { body: "<message to='alice@localhost'><body>later</body></message>" }));
    assert.equal(later.response.status, 503);
    assert.match(later.response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.ok(later.ms >= SEND_DEADLINE_MS - 100 && later.ms < SEND_DEADLINE_MS + 1000, `${later.ms.toFixed(0)} ms`);

    const readyz = await fetch(`${gateway.url}/readyz`);
    assert.equal(readyz.status, 503);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 20_000 - (performance.now() - stoppedAt))));
  } finally {
    prosody.signal('SIGCONT');
  }

  await waitUntil(() => gateway.app.core.online, 15_000, 'the link to come back after SIGCONT');
  const [message, iq] = await Promise.all([
    rest(gateway, { body: '<message><body>back</body></message>' }),
    rest(gateway, { body: PING }),
  ]);
  assert.equal(message.status, 202);
  assert.equal(iq.status, 200);
});
