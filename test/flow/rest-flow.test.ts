import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import { type FakeLink, startFakeLink } from '../support/fake-link.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { rest, xmlError } from '../support/rest-client.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The /rest flows in-process, against the fake link instead of Prosody: what the gateway
 * writes for a request, when it answers (after the server's acknowledgement), and how iq
 * replies, timeouts and a broken link become HTTP answers. rest-contract.test.ts and
 * send-acknowledged.test.ts check the same rows against a real Prosody.
 */
const DOMAIN = 'rest.localhost';
const ALICE = 'alice@localhost/phone';
const SEND_DEADLINE_MS = 800;
let link: FakeLink;
let gateway: TestGateway;

before(async () => {
  link = await startFakeLink(DOMAIN);
  gateway = await startGateway(link, {
    XMPP_SEND_DEADLINE_MS: String(SEND_DEADLINE_MS),
    XMPP_RECONNECT_MIN_MS: '10',
    XMPP_RECONNECT_MAX_MS: '50',
    IQ_TIMEOUT_MS: '1000',
  });
});

afterEach(() => {
  link.acks = 'ack';
  link.releaseAcks();
  link.serve(undefined);
  link.accepting = true;
});

after(async () => {
  await gateway?.stop();
  await link?.close();
});

/** What the recipient answers an iq with: an empty result from where it was sent. */
const resultFor = (iq: { attrs: Record<string, string> }) =>
  `<iq type='result' from='${iq.attrs.to}' to='${iq.attrs.from}' id='${iq.attrs.id}'/>`;

describe('a message: 202 once the server has processed it', () => {
  it('writes exactly the normalised stanza, then answers 202 with an empty body', async () => {
    const response = await rest(gateway, {
      body: `<message xmlns='jabber:client' to='Alice@LocalHost/phone' type='chat' id='m-1' xml:lang='de' foo='bar'><body>a &amp; b</body></message>`,
    });
    assert.equal(response.status, 202);
    assert.equal(response.body, '');
    const written = await link.nextWritten((stanza) => stanza.attrs.id === 'm-1');
    assert.equal(
      written.toString(),
      `<message from="${DOMAIN}" to="${ALICE}" id="m-1" type="chat" xml:lang="de"><body>a &amp; b</body></message>`,
    );
  });

  it('a held acknowledgement holds the 202; once released, the 202 comes', async () => {
    link.acks = 'hold';
    const marker = once(link, 'marker');
    let answered = false;
    const pending = rest(gateway, { body: `<message to='${ALICE}' id='m-held'><body>wait</body></message>` }).then(
      (response) => {
        answered = true;
        return response;
      },
    );
    await marker;
    // The window closes with an iq written after the message: its reply comes back over HTTP
    // while the message, written before it, still waits for its acknowledgement.
    link.serve((stanza) => (stanza.name === 'iq' ? resultFor(stanza) : undefined));
    const iq = await rest(gateway, {
      body: `<iq type='get' to='${ALICE}' id='after-held'><ping xmlns='urn:xmpp:ping'/></iq>`,
    });
    assert.equal(iq.status, 200);
    assert.equal(answered, false, 'no answer before the server acknowledged the message');
    assert.equal(link.heldAcks, 1);
    link.releaseAcks();
    assert.equal((await pending).status, 202);
  });

  it('an acknowledgement that never comes: 503 unconfirmed at the send deadline', async () => {
    link.acks = 'drop';
    const started = performance.now();
    const response = await rest(gateway, { body: `<message to='${ALICE}' id='m-lost'><body>lost?</body></message>` });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.equal(
      response.body,
      xmlError('service-unavailable', 'The XMPP server did not confirm the stanza in time; it may have been delivered'),
    );
    assert.ok(performance.now() - started >= SEND_DEADLINE_MS - 50, 'not before the deadline');
    assert.ok(
      link.written.some((stanza) => stanza.attrs.id === 'm-lost'),
      'it was written',
    );
  });

  it("the server's bounce, routed before the acknowledgement, is the answer: 200 with the error stanza", async () => {
    link.serve((stanza) =>
      stanza.attrs.to === 'nobody@localhost'
        ? `<message type='error' from='nobody@localhost' to='${stanza.attrs.from}' id='${stanza.attrs.id}'>` +
          `<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`
        : undefined,
    );
    const response = await rest(gateway, {
      body: "<message type='chat' to='nobody@localhost' id='nobody-1'><body>anyone?</body></message>",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/xmpp+xml');
    assert.equal(
      response.body,
      `<message type='error' from='nobody@localhost' to='${DOMAIN}' id='nobody-1'>` +
        `<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`,
    );
  });
});

describe('an iq: 200 with its reply, the contract errors otherwise', () => {
  it('writes the request; the reply that comes back is the HTTP answer', async () => {
    const pending = rest(gateway, {
      body: `<iq type='get' to='${ALICE}' id='echo-1'><query xmlns='urn:example:echo'/></iq>`,
    });
    const request = await link.nextWritten((stanza) => stanza.attrs.id === 'echo-1');
    assert.equal(
      request.toString(),
      `<iq from="${DOMAIN}" to="${ALICE}" id="echo-1" type="get"><query xmlns="urn:example:echo"/></iq>`,
    );
    link.deliver(
      `<iq type='result' from='${ALICE}' to='${DOMAIN}' id='echo-1'><query xmlns='urn:example:echo'><item>v &amp; w</item></query></iq>`,
    );
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/xmpp+xml');
    assert.equal(
      response.body,
      `<iq type='result' from='${ALICE}' to='${DOMAIN}' id='echo-1'><query xmlns='urn:example:echo'><item>v &amp; w</item></query></iq>`,
    );
  });

  it('no reply in time: 504 remote-server-timeout', async () => {
    const started = performance.now();
    const response = await rest(gateway, {
      headers: { 'Prosody-Rest-Timeout': '0.2' },
      body: `<iq type='get' to='${ALICE}' id='silent-1'><query xmlns='urn:example:silent'/></iq>`,
    });
    assert.equal(response.status, 504);
    assert.equal(response.body, xmlError('remote-server-timeout', 'IQ stanza timed out'));
    assert.ok(performance.now() - started >= 190, 'not before its timeout');
    assert.ok(
      link.written.some((stanza) => stanza.attrs.id === 'silent-1'),
      'it was written',
    );
  });

  it('the link breaks while the iq waits: 503 at once, and the link comes back by itself', async () => {
    const pending = rest(gateway, {
      body: `<iq type='get' to='${ALICE}' id='lost-1'><query xmlns='urn:example:silent'/></iq>`,
    });
    await link.nextWritten((stanza) => stanza.attrs.id === 'lost-1');
    const connections = link.connections;
    link.disconnect();
    const response = await pending;
    assert.equal(response.status, 503);
    assert.equal(
      response.body,
      xmlError(
        'service-unavailable',
        'The XMPP link went down before the reply arrived; the iq may have been delivered',
      ),
    );
    await waitUntil(() => link.connections > connections, 2000, 'a new connection');
    await gateway.waitOnline(2000);
    assert.equal(gateway.app.core.status().link.reconnects, connections);
  });

  it('a message sent while the link is down waits, and is written once it is back', async () => {
    link.accepting = false;
    link.disconnect();
    await waitUntil(() => !gateway.app.core.online, 2000, 'the link to go down');
    const pending = rest(gateway, { body: `<message to='${ALICE}' id='m-down'><body>later</body></message>` });
    await waitUntil(() => gateway.app.core.status().queuedSends === 1, 2000, 'the message to wait in the queue');
    assert.ok(!link.written.some((stanza) => stanza.attrs.id === 'm-down'));
    link.accepting = true;
    assert.equal((await pending).status, 202);
    assert.equal(link.written.filter((stanza) => stanza.attrs.id === 'm-down').length, 1);
  });
});
