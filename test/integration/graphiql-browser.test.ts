import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * GraphiQL as a newcomer meets it, in a real browser: Debian's Chromium driven by playwright-core
 * (never a downloaded browser; .ci/run installs the package). Open the page, give the token, run
 * a query, a mutation and a subscription that receives a live stanza. The screenshot is kept
 * under test-artifacts/ (not committed).
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;
let profile: string;
let browser: BrowserContext | undefined;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody);
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  profile = mkdtempSync(join(tmpdir(), 'stanza-gateway-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
  });
});

after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

/** The text GraphiQL shows in its response pane (Monaco draws spaces as no-break spaces). */
async function responseText(page: Page): Promise<string> {
  return (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');
}

async function runTab(page: Page, name: string, expect: RegExp): Promise<void> {
  // A plain DOM click: the tabs can be dragged, and a pointer press starts a drag gesture.
  await page
    .locator('.graphiql-tab-button', { hasText: name })
    .evaluate((button) => (button as { click(): void }).click());
  await page.locator('.graphiql-tab-active', { hasText: name }).waitFor();
  // GraphiQL works out the tab's operation name from its editor a moment after the switch; run
  // before that, it would send the previous tab's name.
  await page.waitForTimeout(500);
  await page.locator('.graphiql-execute-button').click();
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = await responseText(page);
    if (expect.test(text)) return;
    assert.ok(Date.now() < deadline, `tab ${name}: no ${expect.source} in the response pane: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('opens, asks for the token, runs a query, a mutation and a live subscription', async (t) => {
  const page = await browser!.newPage();
  // What the page looked like when a step failed.
  t.after(async () => {
    if (page.isClosed()) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-failure.png') });
  });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  let introspections = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.postData()?.includes('IntrospectionQuery')) introspections += 1;
  });

  await page.goto(`${gateway.url}/graphql`);
  // First the token, before anything asks the API.
  await page.getByLabel('API token').fill('not-the-token-not-the-token');
  await page.getByRole('button', { name: 'Open GraphiQL' }).click();
  await page.getByText('This token is not accepted.').waitFor();
  assert.equal(introspections, 0);
  // The browser logs the refused check (403) itself; from here on nothing may fail.
  problems.length = 0;

  await page.getByLabel('API token').fill(gateway.token);
  await page.getByRole('button', { name: 'Open GraphiQL' }).click();
  await page.locator('.graphiql-container').first().waitFor();
  // The schema is fetched once, with the token: the docs explorer can show it.
  await page.waitForFunction(() => document.querySelector('.graphiql-execute-button') !== null);
  await page.getByRole('button', { name: /Documentation Explorer/ }).click();
  await page.getByText('Root Types').waitFor({ timeout: 15_000 });
  assert.equal(introspections, 1, 'one introspection, with the token');

  // The examples are there; queries (ping is a read), then a mutation.
  await runTab(page, 'Status', /"state": "ONLINE"/);
  assert.match(await responseText(page), new RegExp(`"domain": "${prosody.componentDomain}"`));
  await runTab(page, 'Ping', /"__typename": "Pong"/);
  await runTab(page, 'SendMessage', /"__typename": "SendMessageSuccess"/);

  // A subscription (graphql-ws, the token in connectionParams) receiving a live stanza.
  await runTab(page, 'Inbound', /^/);
  const text = `hello GraphiQL ${Date.now()}`;
  // The subscription starts asynchronously: send until one arrives.
  const deadline = Date.now() + 15_000;
  while (!(await responseText(page)).includes(text)) {
    assert.ok(Date.now() < deadline, `the live stanza did not show: ${await responseText(page)}`);
    await alice.sendXml(`<message to='bot@${prosody.componentDomain}' type='chat'><body>${text}</body></message>`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.match(await responseText(page), /"__typename": "Message"/);

  // Nothing of the token is kept in the browser.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.ok(!stored.includes(gateway.token), 'the token is not in localStorage or sessionStorage');
  assert.deepEqual(problems, []);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, 'graphiql.png') });
  await page.close();
});
