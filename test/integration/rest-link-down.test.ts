import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, traits, type XmppServer } from '../support/xmpp-server.ts';
import { waitUntil } from '../support/wait.ts';
import { rest, xmlError } from '../support/rest-client.ts';

/**
 * The link-down rows: XmppServer goes away, sends wait up to the send deadline and fail with 503
 * and Retry-After; the link comes back by itself when Prosody does, and what was queued within
 * its deadline is delivered.
 */
let prosody: XmppServer;
let gateway: TestGateway;

// Long enough for the server to come back within it (ejabberd takes a few seconds to start).
const DEADLINE_MS = traits.restartMs;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, {
    XMPP_SEND_DEADLINE_MS: String(DEADLINE_MS),
    IQ_TIMEOUT_MS: String(DEADLINE_MS * 2),
  });
});

after(async () => {
  await gateway?.stop();
  await prosody?.dispose();
});

it('503 with Retry-After while the link is down, then recovers by itself', async () => {
  await prosody.stop();
  await waitUntil(() => !gateway.app.core.online, 5000, 'the link to notice');

  const started = Date.now();
  const [message, iq, json] = await Promise.all([
    rest(gateway, { body: "<message to='alice@localhost'><body>lost?</body></message>" }),
    rest(gateway, { body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>" }),
    rest(gateway, { headers: { Accept: 'application/json' }, body: '<message to="alice@localhost"/>' }),
  ]);
  assert.equal(message.status, 503);
  assert.ok(Date.now() - started >= DEADLINE_MS - 100, 'waited for the send deadline first');
  assert.match(message.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  assert.equal(message.body, xmlError('service-unavailable', 'The XMPP link is down'));
  assert.equal(iq.status, 503, 'an iq that could not be sent is 503, not a timeout');
  assert.deepEqual((JSON.parse(json.body) as { error: unknown }).error, {
    type: 'wait',
    condition: 'service-unavailable',
    text: 'The XMPP link is down',
  });

  await prosody.start();
  await waitUntil(() => gateway.app.core.online, 10_000, 'the link to come back');
  const status = gateway.app.core.status();
  assert.equal(status.link.state, 'online');
  assert.ok(status.link.reconnects >= 1);

  const ping = await rest(gateway, { body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>" });
  assert.equal(ping.status, 200);
});

it('a send made while the link is down is delivered when the link returns within the deadline', async () => {
  await prosody.stop();
  await waitUntil(() => !gateway.app.core.online, 5000, 'the link to notice');
  const text = `queued-${Date.now()}`;
  // Addressed to the component's own domain: it travels through Prosody and comes back inbound,
  // which proves it really crossed the link after the reconnect.
  const inbound = new Promise<void>((resolve) => {
    const unsubscribe = gateway.app.core.inbound.subscribe((stanza) => {
      if (stanza.element.getChildText('body') === text) {
        unsubscribe();
        resolve();
      }
    });
  });
  const pending = rest(gateway, { body: `<message><body>${text}</body></message>` });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await prosody.start();
  const response = await pending;
  assert.equal(response.status, 202);
  await inbound;
});
