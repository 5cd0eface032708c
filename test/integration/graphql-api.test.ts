import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendIqDocument, SendMessageDocument, SendPresenceDocument, StatusDocument } from '../generated/graphql.ts';
import { messageWithBody, uniqueText } from '../support/markers.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData, graphqlHttp, subscribeSse, wsClient } from '../support/graphql-client.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * The GraphQL face over HTTP against a real Prosody: auth on every transport, sendMessage,
 * sendPresence, sendIq, status, limits and error hygiene. Sends of raw XML and subscriptions have their own
 * files (graphql-send-stanza, graphql-subscriptions).
 */
let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;
const DOMAIN = 'rest.localhost';

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, {
    IQ_TIMEOUT_MS: '2000',
    CORS_ORIGINS: 'https://app.example',
    GRAPHQL_MAX_DEPTH: '8',
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  alice.client.iqCallee.get('urn:example:silent', 'query', () => new Promise<never>(() => {}));
  // @xmpp/client does not answer XEP-0199 by itself.
  alice.client.iqCallee.get('urn:xmpp:ping', 'ping', () => true);
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

describe('authentication on every transport', () => {
  it('HTTP without a token: 401 with WWW-Authenticate and a typed error', async () => {
    const { status, headers, body } = await graphqlHttp(gateway, StatusDocument, {}, { token: null });
    assert.equal(status, 401);
    assert.equal(headers.get('www-authenticate'), `Bearer realm="${DOMAIN}"`);
    assert.equal(body.data, undefined);
    assert.equal(body.errors?.[0]?.extensions?.code, 'NO_CREDENTIALS');
  });

  it('HTTP with a wrong token: 403', async () => {
    const { status, body } = await graphqlHttp(gateway, StatusDocument, {}, { token: 'not-the-token-not-the-token' });
    assert.equal(status, 403);
    assert.equal(body.errors?.[0]?.extensions?.code, 'BAD_CREDENTIALS');
  });

  it('SSE without a token: 401, no stream', async () => {
    const { StanzasDocument } = await import('../generated/graphql.ts');
    const stream = await subscribeSse(gateway, StanzasDocument, {}, { token: null });
    assert.equal(stream.status, 401);
    assert.ok(await stream.ended);
  });

  for (const [name, params, code] of [
    ['no connectionParams', {}, 4401],
    ['a wrong token', { authorization: 'Bearer not-the-token-not-the-token' }, 4403],
    ['another scheme', { authorization: 'Basic abc' }, 4403],
  ] as const) {
    it(`graphql-ws with ${name}: the socket is closed with ${code}`, async () => {
      const client = wsClient(gateway, params);
      const closed = new Promise<number>((resolve) =>
        client.on('closed', (event) => resolve((event as { code: number }).code)),
      );
      client.subscribe({ query: '{ status { domain } }' }, { next: () => {}, error: () => {}, complete: () => {} });
      assert.equal(await closed, code);
      await client.dispose();
    });
  }

  it('graphql-ws accepts { token } as well as { authorization }', async () => {
    const client = wsClient(gateway, { token: gateway.token });
    const result = await new Promise<unknown>((resolve, reject) =>
      client.subscribe({ query: '{ status { domain } }' }, { next: resolve, error: reject, complete: () => {} }),
    );
    assert.deepEqual(result, { data: { status: { domain: DOMAIN } } });
    await client.dispose();
  });

  it('graphql-ws: an operation that does not parse fails alone; the socket stays usable', async () => {
    const client = wsClient(gateway);
    const failed = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: '{ status { domain ' },
        { next: () => {}, error: resolve, complete: () => resolve(undefined) },
      ),
    );
    assert.match(JSON.stringify(failed), /Syntax Error/);
    const result = await new Promise<unknown>((resolve, reject) =>
      client.subscribe({ query: '{ status { domain } }' }, { next: resolve, error: reject, complete: () => {} }),
    );
    assert.deepEqual(result, { data: { status: { domain: DOMAIN } } });
    await client.dispose();
  });

  it('the GraphiQL page loads without a token, asks for one, and refers only to its own origin', async () => {
    const response = await fetch(`${gateway.url}/graphql`, { headers: { Accept: 'text/html' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await response.text();
    assert.ok(html.length < 16 * 1024, `the page is ${html.length} bytes`);
    assert.match(html, /<input id="token" name="token" type="password"/);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(urls.length >= 4, urls.join(' '));
    for (const url of urls) {
      assert.match(url, /^\/graphql\/graphiql\//);
      const asset = await fetch(`${gateway.url}${url}`);
      assert.equal(asset.status, 200, url);
      await asset.arrayBuffer();
    }
  });
});

describe('sendMessage', () => {
  it('reaches a connected XMPP client and resolves with the stanza as sent', async () => {
    const text = uniqueText();
    const data = await graphqlData(gateway, SendMessageDocument, {
      input: { to: 'ALICE@LocalHost/phone', type: 'CHAT', body: text, subject: 'hi', lang: 'en' },
    });
    assert.equal(data.sendMessage.__typename, 'SendMessageSuccess');
    assert.ok(data.sendMessage.__typename === 'SendMessageSuccess');
    const sent = data.sendMessage.sent;
    const received = await alice.waitFor(messageWithBody(text));
    assert.equal(sent.to, 'alice@localhost/phone');
    assert.equal(sent.from, DOMAIN);
    assert.equal(sent.id, received.attrs.id);
    assert.ok(sent.__typename === 'Message');
    assert.equal(sent.messageType, 'CHAT');
    assert.equal(sent.body, text);
    assert.equal(received.attrs.type, 'chat');
    assert.equal(received.getChildText('subject'), 'hi');
    assert.equal(received.attrs['xml:lang'], 'en');
    assert.match(
      sent.xml,
      new RegExp(`^<message from='${DOMAIN}' to='alice@localhost/phone' id='${sent.id}' type='chat' xml:lang='en'>`),
    );
  });

  it('a from outside the component domain is an InvalidInput naming the field', async () => {
    const data = await graphqlData(gateway, SendMessageDocument, {
      input: { to: 'alice@localhost', from: 'bob@localhost', body: 'x' },
    });
    assert.ok(data.sendMessage.__typename === 'InvalidInput');
    assert.equal(data.sendMessage.kind, 'FROM_NOT_AUTHORIZED');
    assert.equal(data.sendMessage.field, 'from');
    assert.equal(data.sendMessage.type, 'AUTH');
    assert.equal(data.sendMessage.condition, 'not-authorized');
  });

  it('a payload that is not well-formed names its index', async () => {
    const data = await graphqlData(gateway, SendMessageDocument, {
      input: { to: 'alice@localhost', payloads: ["<x xmlns='urn:example:x'/>", '<broken>'] },
    });
    assert.ok(data.sendMessage.__typename === 'InvalidInput');
    assert.equal(data.sendMessage.kind, 'NOT_WELL_FORMED');
    assert.equal(data.sendMessage.field, 'payloads.1');
  });

  it('an invalid JID is refused by the JID scalar, naming the input path', async () => {
    const { body } = await graphqlHttp(gateway, SendMessageDocument, { input: { to: 'alice@@localhost' } });
    assert.equal(body.data, undefined);
    assert.match(body.errors?.[0]?.message ?? '', /"input\.to".*Invalid JID/);
  });
});

describe('sendPresence', () => {
  it('a directed presence reaches the client with show, status and priority, and resolves as sent', async () => {
    const status = uniqueText();
    const data = await graphqlData(gateway, SendPresenceDocument, {
      input: { to: alice.jid, from: `bot@${DOMAIN}/desk`, show: 'DND', status, priority: -5 },
    });
    assert.ok(data.sendPresence.__typename === 'SendPresenceSuccess', JSON.stringify(data.sendPresence));
    const sent = data.sendPresence.sent;
    assert.ok(sent.__typename === 'Presence');
    assert.equal(sent.presenceType, 'AVAILABLE');
    assert.equal(sent.show, 'DND');
    assert.equal(sent.status, status);
    assert.equal(sent.priority, -5);
    assert.equal(sent.from, `bot@${DOMAIN}/desk`);
    assert.doesNotMatch(sent.xml, /type=/, 'AVAILABLE sends no type attribute');
    const received = await alice.waitFor((stanza) => stanza.is('presence') && stanza.getChildText('status') === status);
    assert.equal(received.attrs.from, `bot@${DOMAIN}/desk`);
    assert.equal(received.attrs.id, sent.id);
    assert.equal(received.attrs.type, undefined);
    assert.equal(received.getChildText('show'), 'dnd');
    assert.equal(received.getChildText('priority'), '-5');
  });

  it('a type other than AVAILABLE is sent as the type attribute', async () => {
    const status = uniqueText();
    const data = await graphqlData(gateway, SendPresenceDocument, {
      input: { to: alice.jid, type: 'UNAVAILABLE', status },
    });
    assert.ok(data.sendPresence.__typename === 'SendPresenceSuccess');
    assert.ok(data.sendPresence.sent.__typename === 'Presence');
    assert.equal(data.sendPresence.sent.presenceType, 'UNAVAILABLE');
    const received = await alice.waitFor((stanza) => stanza.is('presence') && stanza.getChildText('status') === status);
    assert.equal(received.attrs.type, 'unavailable');
  });

  for (const priority of [128, -129]) {
    it(`priority ${priority} is outside -128..127: InvalidInput naming it, nothing sent`, async () => {
      const before = gateway.app.core.status().counters.out.presence;
      const data = await graphqlData(gateway, SendPresenceDocument, { input: { to: alice.jid, priority } });
      assert.ok(data.sendPresence.__typename === 'InvalidInput', JSON.stringify(data.sendPresence));
      assert.equal(data.sendPresence.kind, 'INVALID_ARGUMENT');
      assert.equal(data.sendPresence.field, 'priority');
      assert.equal(data.sendPresence.condition, 'bad-request');
      assert.equal(gateway.app.core.status().counters.out.presence, before);
    });
  }

  it('the range ends -128 and 127 are accepted', async () => {
    for (const priority of [-128, 127]) {
      const data = await graphqlData(gateway, SendPresenceDocument, { input: { to: alice.jid, priority } });
      assert.ok(data.sendPresence.__typename === 'SendPresenceSuccess', JSON.stringify(data.sendPresence));
      assert.ok(data.sendPresence.sent.__typename === 'Presence');
      assert.equal(data.sendPresence.sent.priority, priority);
    }
  });
});

describe('sendIq', () => {
  const ping = { type: 'GET' as const, payload: "<ping xmlns='urn:xmpp:ping'/>" };

  it('resolves with the result reply', async () => {
    const data = await graphqlData(gateway, SendIqDocument, { input: { to: alice.jid, ...ping } });
    assert.ok(data.sendIq.__typename === 'SendIqSuccess');
    const reply = data.sendIq.reply;
    assert.ok(reply.__typename === 'Iq');
    assert.equal(reply.iqType, 'RESULT');
    assert.equal(reply.from, alice.jid);
    assert.equal(reply.to, DOMAIN);
  });

  it('an iq to an offline full JID resolves with the typed service-unavailable error', async () => {
    const data = await graphqlData(gateway, SendIqDocument, { input: { to: 'alice@localhost/offline', ...ping } });
    assert.ok(data.sendIq.__typename === 'StanzaErrorReply');
    assert.equal(data.sendIq.condition, 'service-unavailable');
    assert.equal(data.sendIq.type, 'CANCEL');
    assert.match(data.sendIq.reply.xml, /^<iq [^>]*type='error'/);
  });

  it('no reply within timeoutMs: IqTimeout', async () => {
    const started = Date.now();
    const data = await graphqlData(gateway, SendIqDocument, {
      input: { to: alice.jid, type: 'GET', payload: "<query xmlns='urn:example:silent'/>" },
      timeoutMs: 300,
    });
    assert.ok(data.sendIq.__typename === 'IqTimeout');
    assert.equal(data.sendIq.condition, 'remote-server-timeout');
    assert.ok(Date.now() - started < 1500, 'the per-call timeout, not the 2 s default');
  });

  it('a timeoutMs that is not positive is an InvalidInput naming it', async () => {
    const data = await graphqlData(gateway, SendIqDocument, { input: { to: alice.jid, ...ping }, timeoutMs: 0 });
    assert.ok(data.sendIq.__typename === 'InvalidInput');
    assert.equal(data.sendIq.field, 'timeoutMs');
  });

  it('a second iq with the same id to the same address while the first waits: Refused', async () => {
    const input = {
      to: alice.jid,
      id: `dup-${uniqueText()}`,
      type: 'GET' as const,
      payload: "<query xmlns='urn:example:silent'/>",
    };
    const first = graphqlData(gateway, SendIqDocument, { input, timeoutMs: 500 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await graphqlData(gateway, SendIqDocument, { input });
    assert.ok(second.sendIq.__typename === 'Refused');
    assert.equal(second.sendIq.kind, 'IQ_CONFLICT');
    assert.equal((await first).sendIq.__typename, 'IqTimeout');
  });
});

describe('status, limits and error hygiene', () => {
  it('status: link, domain, server and counters that move', async () => {
    const before = (await graphqlData(gateway, StatusDocument, {})).status;
    assert.equal(before.domain, DOMAIN);
    assert.equal(before.server, prosody.componentService);
    assert.equal(before.link.state, 'ONLINE');
    assert.ok(before.uptimeSeconds > 0);
    const text = uniqueText();
    await graphqlData(gateway, SendMessageDocument, { input: { to: alice.jid, body: text } });
    await alice.waitFor(messageWithBody(text));
    const later = (await graphqlData(gateway, StatusDocument, {})).status;
    assert.ok(later.stanzasOut.message >= before.stanzasOut.message + 1);
    assert.equal(later.stanzasOut.total, later.stanzasOut.message + later.stanzasOut.presence + later.stanzasOut.iq);
  });

  it('a query deeper than GRAPHQL_MAX_DEPTH is refused before it runs', async () => {
    const nested = (depth: number): string => (depth === 0 ? 'name' : `children { ${nested(depth - 1)} }`);
    const deep =
      'mutation { sendMessage(input: { to: "alice@localhost" }) ' +
      `{ ... on SendMessageSuccess { sent { payloads { ${nested(6)} } } } } }`;
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query: deep }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
    assert.equal(body.data, undefined);
    assert.match(body.errors?.[0]?.message ?? '', /depth limit of 8 exceeded/);
  });

  it('an unexpected failure in a resolver is masked: "Unexpected error.", no stack, no original error', async (t) => {
    const secret = 'internal detail at /srv/gateway/src/xmpp/core.ts:42';
    t.mock.method(gateway.app.core, 'status', () => {
      throw new TypeError(secret);
    });
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query: '{ status { domain } }' }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as {
      data?: unknown;
      errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
    };
    assert.equal(body.errors?.length, 1);
    const [error] = body.errors;
    assert.equal(error!.message, 'Unexpected error.');
    assert.deepEqual(error!.path, ['status']);
    assert.equal(error!.extensions?.originalError, undefined);
    assert.equal(error!.extensions?.stack, undefined);
    assert.doesNotMatch(text, /internal detail|TypeError|stack|\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  });

  it('errors carry no stack trace, even for input that fails validation', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({ query: 'mutation { sendStanza(xml: 42) { __typename } nope }' }),
    });
    const text = await response.text();
    assert.ok((JSON.parse(text) as { errors: unknown[] }).errors.length > 0);
    assert.doesNotMatch(text, /stack|\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  });

  it('CSRF: a GET without a preflight-forcing header is refused; with one it runs', async () => {
    const url = `${gateway.url}/graphql?query=${encodeURIComponent('{ status { domain } }')}`;
    const bare = await fetch(url, { headers: { Authorization: `Bearer ${gateway.token}` } });
    assert.equal(bare.status, 403);
    const marked = await fetch(url, {
      headers: { Authorization: `Bearer ${gateway.token}`, 'X-GraphQL-Yoga-CSRF': '1' },
    });
    assert.equal(marked.status, 200);
    assert.deepEqual(await marked.json(), { data: { status: { domain: DOMAIN } } });
  });

  it('CORS: the configured origin is allowed, others are not', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization',
        },
      });
    const allowed = await preflight('https://app.example');
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
    const other = await preflight('https://evil.example');
    assert.notEqual(other.headers.get('access-control-allow-origin'), 'https://evil.example');
  });
});
