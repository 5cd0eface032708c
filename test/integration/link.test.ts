import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { buildApp, type App } from '../../src/server.ts';
import { startGateway, TEST_TOKEN, testEnv } from '../support/gateway.ts';
import { startProsody, type Prosody } from '../support/prosody.ts';
import { waitUntil } from '../support/wait.ts';
import { rest } from '../support/rest-client.ts';

/** The component link against a real Prosody: refusal, conflict and take-over. */
let prosody: Prosody;
const apps: App[] = [];

before(async () => {
  prosody = await startProsody();
});

after(async () => {
  for (const app of apps) await app.stop();
  await prosody?.dispose();
});

function build(env: Record<string, string>): App {
  const config = loadConfig(testEnv(prosody, { XMPP_RECONNECT_MAX_MS: '400', XMPP_SEND_DEADLINE_MS: '300', ...env }));
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
  const log = await prosody.log();
  assert.equal(log.split('\n').filter((line) => /Component authentication failed/.test(line)).length, 1);

  const response = await rest({ url, token: TEST_TOKEN }, { body: '<message to="a@localhost"/>' });
  assert.equal(response.status, 503);
  await app.stop();
});

it('a second gateway for the same domain waits (conflict) and takes over when the first stops', async () => {
  const first = await startGateway(prosody);
  const second = build({});
  await second.start();
  await waitUntil(() => (second.core.status().link.lastError ?? '').includes('conflict'), 5000, 'the conflict');
  assert.equal(second.core.online, false);
  assert.notEqual(second.core.status().link.state, 'failed', 'conflict is retried, not fatal');
  await first.stop();
  await waitUntil(() => second.core.online, 5000, 'the take-over');
});
