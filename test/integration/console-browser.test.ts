import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { assertAccessible, screenshot, writeArtifact } from '../support/console-checks.ts';
import { uniqueText } from '../support/markers.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * The web console in Debian's Chromium against a real gateway, Prosody, Postgres and webhook
 * receiver: sign in, a delivery arriving live, its page, a failing receiver, redeliver, the
 * live tail, and the link going down and coming back when Prosody restarts. Each view is
 * checked with axe-core and saved as a screenshot (test-artifacts/console/).
 */
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let gateway: TestGateway;
let alice: XmppUser;
let browser: TestBrowser;
let page: Page;
let failing = false;
const BOT = 'bot@rest.localhost';
const foreignRequests: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  database = await createTestDatabase();
  receiver = await startReceiver(() =>
    failing ? { status: 500, body: 'receiver down for maintenance' } : { status: 204 },
  );
  // Signed, so that every POST names its delivery in `webhook-id`.
  gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    WEBHOOK_SECRET: `whsec_${Buffer.from('console-browser-test-key').toString('base64')}`,
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  browser = await launchBrowser();
  const origin = new URL(gateway.url).host;
  browser.context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.host !== origin && url.protocol !== 'data:') foreignRequests.push(request.url());
  });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});

after(async () => {
  await browser?.close();
  await alice?.stop();
  await gateway?.stop();
  await receiver?.close();
  await database?.drop();
  await prosody?.dispose();
});

const send = (body: string) => alice.client.send(xml('message', { to: BOT, type: 'chat' }, xml('body', {}, body)));
/** The delivery the receiver got with this text in its body (its id is the webhook-id header). */
async function deliveryWith(text: string): Promise<string> {
  const request = await receiver.waitFor((candidate) => candidate.body.includes(text), 10_000);
  return String(request.headers['webhook-id']);
}
const rowOf = (id: string) => page.getByRole('row').filter({ has: page.locator(`a[href="#/deliveries/${id}"]`) });
const bodyRows = (count: number) =>
  page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n, count);

describe('the console in a browser', () => {
  it('loads small, from the gateway only, and refuses a wrong token with a clear message', async () => {
    const transferred: { url: string; bytes: number }[] = [];
    page.on('response', (response) => {
      void response
        .request()
        .sizes()
        .then((sizes) =>
          transferred.push({ url: response.url(), bytes: sizes.responseBodySize + sizes.responseHeadersSize }),
        )
        .catch(() => {});
    });
    await page.goto(`${gateway.url}/console`);
    await page.getByLabel('API token').waitFor();
    await page.waitForLoadState('networkidle');
    const total = transferred.reduce((sum, entry) => sum + entry.bytes, 0);
    await writeArtifact(
      'first-load.txt',
      `${transferred.map((entry) => `${entry.bytes}\t${entry.url}`).join('\n')}\n${total}\ttotal (headers and compressed bodies)\n`,
    );
    // The redirect from /console to /console/, the page, its script and its stylesheet.
    assert.equal(transferred.length, 4, JSON.stringify(transferred));
    assert.ok(total < 40_000, `first load ${total} bytes`);

    // Keyboard only: the token field takes the first Tab, Enter submits.
    await page.keyboard.press('Tab');
    await page.keyboard.type('not-the-right-token-at-all');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Wrong token' }).waitFor();
    // The browser logs the refused request itself; nothing else may be logged (last test).
    assert.deepEqual(pageErrors.splice(0), [
      'Failed to load resource: the server responded with a status of 403 (Forbidden)',
    ]);
    await assertAccessible(page, 'sign-in');
    await screenshot(page, '1-sign-in-wrong-token');
  });

  it('signs in; the token stays in this tab only, never in the URL', async () => {
    await page.getByLabel('API token').fill(TEST_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    assert.ok(!page.url().includes(TEST_TOKEN));
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await page.reload();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    const otherTab = await browser.context.newPage();
    await otherTab.goto(`${gateway.url}/console/`);
    await otherTab.getByLabel('API token').waitFor();
    await otherTab.close();
  });

  it('shows a delivery arriving live, and opens it', async () => {
    await page.getByText('Live updates: on').waitFor();
    // graphql-ws subscribes asynchronously: a probe that shows up proves the list is live.
    for (let tries = 0; ; tries += 1) {
      const probe = `probe ${uniqueText()}`;
      await send(probe);
      try {
        await rowOf(await deliveryWith(probe)).waitFor({ timeout: 1000 });
        break;
      } catch (error) {
        if (tries > 10) throw error;
      }
    }
    const text = `hello console ${uniqueText()}`;
    await send(text);
    const newest = rowOf(await deliveryWith(text));
    await newest.getByText('Delivered').waitFor();
    await assertAccessible(page, 'deliveries');
    await screenshot(page, '2-deliveries');

    await newest.getByRole('link').click();
    await page.getByRole('heading', { name: /message from alice@localhost\/phone/ }).waitFor();
    await page.getByText(`<body>${text}</body>`).waitFor();
    await page.getByRole('heading', { name: 'Attempt 1: HTTP 204' }).waitFor();
    await assertAccessible(page, 'delivery');
    await screenshot(page, '3-delivery');
  });

  it('shows a failing receiver: the failure, its attempts; redeliver then succeeds', async () => {
    await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
    await page.getByRole('heading', { name: 'Deliveries' }).waitFor();
    failing = true;
    const text = `will fail ${uniqueText()}`;
    await send(text);
    const failed = rowOf(await deliveryWith(text));
    await failed.getByText('Failed').waitFor({ timeout: 15_000 });
    assert.equal((await failed.getByRole('cell').nth(5).textContent())?.trim(), '3');
    assert.equal((await failed.getByRole('cell').nth(6).textContent())?.trim(), '500');
    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=FAILED/);
    await bodyRows(1);
    await screenshot(page, '4-deliveries-failed-filter');

    await page.getByRole('row').nth(1).getByRole('link').click();
    for (const n of [1, 2, 3]) await page.getByRole('heading', { name: `Attempt ${n}: HTTP 500` }).waitFor();
    assert.equal(await page.getByText('receiver down for maintenance').count(), 3);
    await screenshot(page, '5-delivery-failed');

    failing = false;
    await page.getByRole('button', { name: 'Redeliver' }).click();
    const outcome = page.getByRole('status').filter({ hasText: 'Redelivered as' });
    await outcome.getByText('Delivered').waitFor({ timeout: 10_000 });
    assert.match((await outcome.textContent()) ?? '', /accepted after 1 attempt/);
    await assertAccessible(page, 'delivery after redeliver');
    await screenshot(page, '6-redelivered');
    // The one in the README (docs/console.png): what fits a screen.
    await screenshot(page, 'readme', false);
  });

  it('tails inbound stanzas live, with a filter, pausable', async () => {
    await page.getByRole('link', { name: 'Link and traffic' }).click();
    await page.getByRole('heading', { name: 'Link and traffic' }).waitFor();
    await page.getByLabel('Link state: Online').waitFor();
    const tail = page.getByRole('list', { name: 'Inbound stanzas, newest first' });
    for (let tries = 0; ; tries += 1) {
      const probe = `tail probe ${uniqueText()}`;
      await send(probe);
      try {
        await tail.locator('summary', { hasText: probe }).waitFor({ timeout: 1000 });
        break;
      } catch (error) {
        if (tries > 10) throw error;
      }
    }
    await page.getByRole('button', { name: 'Pause' }).click();
    const held = `held ${uniqueText()}`;
    await send(held);
    await page.getByText('Paused: 1 waiting').waitFor();
    assert.equal(await tail.locator('summary', { hasText: held }).count(), 0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await tail.locator('summary', { hasText: held }).waitFor();

    await page.getByLabel('presence').check();
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send(`filtered out ${uniqueText()}`);
    await alice.client.send(xml('presence', { to: BOT }, xml('status', {}, 'present')));
    await tail.locator('summary', { hasText: 'available: present' }).waitFor();
    assert.equal(await tail.locator('summary', { hasText: 'filtered out' }).count(), 0);
    await page.locator('figcaption', { hasText: 'Webhook outcomes per minute' }).waitFor();
    await assertAccessible(page, 'link and traffic');
    await screenshot(page, '7-link-and-traffic');
  });

  it('shows the link going down and coming back when Prosody restarts', async () => {
    await page.getByLabel('Link state: Online').waitFor();
    await prosody.stop();
    await page.getByLabel(/Link state: (Down, reconnecting|Connecting)/).waitFor({ timeout: 10_000 });
    await screenshot(page, '8-link-down');
    await prosody.start();
    await page.getByLabel('Link state: Online').waitFor({ timeout: 15_000 });
    const reconnects = page.locator('dt', { hasText: 'Reconnects' }).locator('xpath=following-sibling::dd[1]');
    assert.equal((await reconnects.textContent())?.trim(), '1');
  });

  it('follows the system dark theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(13, 17, 23)');
    await assertAccessible(page, 'link and traffic, dark');
    await screenshot(page, '9-link-and-traffic-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('asked nothing of any other host, and logged no error', () => {
    assert.deepEqual(foreignRequests, []);
    assert.deepEqual(pageErrors, []);
  });
});
