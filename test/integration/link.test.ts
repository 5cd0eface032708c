import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { Stanza } from '../../src/xmpp/codec/index.ts';
import { buildApp, type App } from '../../src/server.ts';
import { startGateway, TEST_TOKEN, testEnv } from '../support/gateway.ts';
import { rest } from '../support/rest-client.ts';
import { waitUntil } from '../support/wait.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';
import { startXmppServer, testServerKind, traits, type XmppServer } from '../support/xmpp-server.ts';

/**
 * The component link against a real server: refusal, and one live link per domain. Prosody
 * refuses a second connection for a domain (`conflict`); ejabberd accepts it and spreads the
 * domain's traffic over both, so there the gateway's own guard (src/xmpp/link-guard.ts) keeps
 * the second one in standby.
 */
let server: XmppServer;
let alice: XmppUser;
const apps: App[] = [];

async function startFirst(env: Record<string, string>) {
  const gateway = await startGateway(server, env);
  apps.push(gateway.app);
  return gateway;
}
const STANDBY_RETRY_MS = 1500;
/** A check under way when the serving one stops can wait this long for probes sent to it. */
const CHECK_TIMEOUT_MS = 1500;

before(async () => {
  server = await startXmppServer({ users: { alice: 'alice-pw' } });
  alice = await connectUser(server, 'alice', 'alice-pw');
});

after(async () => {
  await alice?.stop();
  for (const app of apps) await app.stop();
  await server?.dispose();
});

function build(env: Record<string, string>): App {
  const config = loadConfig(testEnv(server, { XMPP_RECONNECT_MAX_MS: '400', XMPP_SEND_DEADLINE_MS: '300', ...env }));
  const app = buildApp(config, createLogger(config.logLevel));
  apps.push(app);
  return app;
}

it('a wrong secret: the link fails once and stops retrying', async () => {
  const app = build({ XMPP_SECRET: 'not-the-secret' });
  const { url } = await app.start();
  await waitUntil(() => app.core.status().link.state === 'failed', 5000, 'the failed state');
  const status = app.core.status().link;
  assert.equal(status.connects, 0);
  assert.match(status.lastError ?? '', /not-authorized/);
  assert.doesNotMatch(status.lastError ?? '', /not-the-secret/);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(app.core.status().link.state, 'failed', 'no retry loop after not-authorized');
  const log = await server.log();
  assert.equal(log.split('\n').filter((line) => traits.authFailureLog.test(line)).length, 1, log.slice(-2000));

  const response = await rest({ url, token: TEST_TOKEN }, { body: '<message to="a@localhost"/>' });
  assert.equal(response.status, 503);
  await app.stop();
});

/** Everything each gateway's core published, by stanza id. */
function recordInbound(app: App): Map<string, number> {
  const seen = new Map<string, number>();
  app.core.inbound.subscribe((stanza: Stanza) => seen.set(stanza.id, (seen.get(stanza.id) ?? 0) + 1));
  return seen;
}

/**
 * Traffic in both directions while two gateways hold the domain: iqs the gateway sends (their
 * replies come back through the server), iqs alice sends to the component (the serving
 * gateway answers them), and messages alice sends to it.
 */
async function exchange(serving: { url: string }, tag: string): Promise<{ messageIds: string[] }> {
  const iqs = Array.from({ length: 30 }, (_, i) =>
    rest(
      { url: serving.url, token: TEST_TOKEN },
      { body: `<iq type='get' to='localhost' id='${tag}-out-${i}'><ping xmlns='urn:xmpp:ping'/></iq>` },
    ),
  );
  const messageIds = Array.from({ length: 60 }, (_, i) => `${tag}-msg-${i}`);
  const pings = Array.from({ length: 30 }, (_, i) => `${tag}-in-${i}`);
  for (let i = 0; i < 60; i += 1) {
    await alice.sendXml(
      `<message to='bot@${server.componentDomain}' id='${messageIds[i]}'><body>${i}</body></message>`,
    );
    if (i < 30) {
      await alice.sendXml(
        `<iq type='get' to='${server.componentDomain}' id='${pings[i]}'><ping xmlns='urn:xmpp:ping'/></iq>`,
      );
    }
  }
  const responses = await Promise.all(iqs);
  assert.deepEqual(
    responses.map((response) => response.status),
    responses.map(() => 200),
    'every iq the gateway sent got its reply',
  );
  for (const id of pings) {
    const reply = await alice.waitFor((stanza) => stanza.attrs.id === id, 10_000);
    assert.equal(reply.attrs.type, 'result', `alice's ping ${id} answered`);
  }
  await alice.expectNone((stanza) => stanza.attrs.type === 'error' && String(stanza.attrs.id).startsWith(tag), 200);
  return { messageIds };
}

function assertDeliveredOnce(messageIds: string[], servingSeen: Map<string, number>, otherSeen: Map<string, number>) {
  for (const id of messageIds) {
    assert.equal(servingSeen.get(id), 1, `message ${id} delivered once by the serving gateway`);
    assert.equal(otherSeen.get(id), undefined, `message ${id} not delivered by the standby`);
  }
}

it('two gateways on one domain: only one serves (every iq answered, every message delivered once); the other takes over when it stops', async () => {
  const env = {
    XMPP_STANDBY_RETRY_MS: String(STANDBY_RETRY_MS),
    XMPP_LINK_CHECK_TIMEOUT_MS: String(CHECK_TIMEOUT_MS),
    XMPP_RECONNECT_MAX_MS: '1000',
  };
  const first = await startFirst(env);
  const firstSeen = recordInbound(first.app);
  const second = build(env);
  const secondSeen = recordInbound(second);
  const { url: secondUrl } = await second.start();

  if (traits.refusesSecondComponent) {
    await waitUntil(() => (second.core.status().link.lastError ?? '').includes('conflict'), 5000, 'the conflict');
  } else {
    await waitUntil(() => second.core.status().link.state === 'standby', 5000, 'the standby');
    assert.match(second.core.status().link.lastError ?? '', /another connection serves rest\.localhost/);
  }
  assert.equal(second.core.online, false);
  assert.notEqual(second.core.status().link.state, 'failed', 'a taken domain is retried, not fatal');
  // The reason is told to a caller with a token only (the check's name to anybody).
  const ready = await fetch(`${secondUrl}/readyz`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } });
  assert.equal(ready.status, 503);
  assert.match(JSON.stringify(await ready.json()), /conflict|another connection serves/);
  const refused = await rest({ url: secondUrl, token: TEST_TOKEN }, { body: '<message to="alice@localhost"/>' });
  assert.equal(refused.status, 503, 'the second gateway sends nothing');

  // Across a few standby checks, so that they happen during the traffic.
  const round1 = await exchange(first, 'r1');
  await new Promise((resolve) => setTimeout(resolve, STANDBY_RETRY_MS * 1.3));
  const round2 = await exchange(first, 'r2');
  assert.equal(first.app.core.online, true);
  assert.equal(second.core.online, false);
  assertDeliveredOnce([...round1.messageIds, ...round2.messageIds], firstSeen, secondSeen);
  if (!traits.refusesSecondComponent) {
    // The server did split the traffic; the standby passed its share on.
    assert.ok(second.core.linkGuard.relayed > 0, 'ejabberd routed some of the traffic to the standby');
  }

  const stopped = Date.now();
  await first.stop();
  await waitUntil(() => second.core.online, CHECK_TIMEOUT_MS + STANDBY_RETRY_MS * 1.2 + 3000, 'the take-over');
  const tookOver = Date.now() - stopped;
  // Within one retry interval (with its jitter), plus the stream close and the check itself
  // (which, under way when the first stopped, may wait out its timeout for probes sent to it).
  assert.ok(tookOver < CHECK_TIMEOUT_MS + STANDBY_RETRY_MS * 1.2 + 2000, `took over after ${tookOver} ms`);

  const round3 = await exchange({ url: secondUrl }, 'r3');
  assertDeliveredOnce(round3.messageIds, secondSeen, firstSeen);
  await second.stop();
});

it(`a standby keeps its place while the serving one stays (${testServerKind})`, async () => {
  const retryMs = 300;
  // A check under way when the first goes waits for its missing probes (those the first got as it
  // closed) until this timeout; the default (5 s) alone would use up the wait below.
  const checkTimeoutMs = 1500;
  const env = { XMPP_STANDBY_RETRY_MS: String(retryMs), XMPP_LINK_CHECK_TIMEOUT_MS: String(checkTimeoutMs) };
  const first = await startFirst(env);
  const second = build(env);
  await second.start();
  await waitUntil(() => second.core.status().link.state !== 'connecting', 5000, 'the second to settle');
  // Many checks later, still exactly one online.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  assert.equal(first.app.core.online, true);
  assert.equal(second.core.online, false);
  await first.stop();
  // The next check (or the one under way, and then the next), with room for a loaded machine.
  await waitUntil(() => second.core.online, checkTimeoutMs + retryMs * 1.2 + 3000, 'the take-over');
  await second.stop();
});
