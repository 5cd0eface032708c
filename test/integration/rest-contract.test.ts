import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Element } from 'ltx';
import { startGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { answerToHead, rest, streamUntilAnswered, xmlError } from '../support/rest-client.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Every row of docs/rest.md's table against a real Prosody, with what the XMPP
 * client really receives. The link-down row lives in rest-link-down.test.ts (it stops Prosody).
 */
let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;
const DOMAIN = 'rest.localhost';
const MAX_BODY = 4096;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
  gateway = await startGateway(prosody, {
    REST_MAX_BODY_BYTES: String(MAX_BODY),
    IQ_TIMEOUT_MS: '1000',
    CORS_ORIGINS: 'https://app.example',
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  // A handler that never answers: what a slow or broken XMPP entity looks like.
  alice.client.iqCallee.get('urn:example:silent', 'query', () => new Promise<never>(() => {}));
  alice.client.iqCallee.get('urn:example:echo', 'query', ({ stanza }) => stanza.getChild('query')!);
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

let counter = 0;
function uniqueBody(): string {
  counter += 1;
  return `marker-${counter}-${Date.now()}`;
}

function bodyIs(text: string) {
  return (stanza: Element) => stanza.name === 'message' && stanza.getChildText('body') === text;
}

describe('authentication', () => {
  it('no Authorization: 401 with WWW-Authenticate and the XML error body', async () => {
    const response = await rest(gateway, { token: null, body: '<message to="alice@localhost"/>' });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), `Bearer realm="${DOMAIN}"`);
    assert.equal(response.headers.get('content-type'), 'application/xmpp+xml');
    assert.equal(response.body, xmlError('not-authorized', 'No credentials provided'));
  });

  for (const [name, header] of [
    ['wrong token', 'Bearer not-the-right-token-at-all'],
    ['another scheme', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['empty token', 'Bearer '],
    ['a token that is a prefix of the real one', 'Bearer test-token'],
    // The same length as the real one: a comparison that looked at lengths only would pass these.
    ['the real one with its last character changed', `Bearer ${TEST_TOKEN.slice(0, -1)}X`],
    ['the real one with its first character changed', `Bearer X${TEST_TOKEN.slice(1)}`],
    ['the real one in upper case', `Bearer ${TEST_TOKEN.toUpperCase()}`],
  ] as const) {
    it(`${name}: 403 Credentials not accepted`, async () => {
      const response = await rest(gateway, { token: null, headers: { Authorization: header }, body: '<message/>' });
      assert.equal(response.status, 403);
      assert.equal(response.body, xmlError('not-authorized', 'Credentials not accepted'));
    });
  }

  it('accepts the scheme name in any case (RFC 9110; deviation from mod_rest)', async () => {
    const text = uniqueBody();
    const response = await rest(gateway, {
      token: null,
      headers: { Authorization: `bearer ${gateway.token}` },
      body: `<message to='alice@localhost/phone'><body>${text}</body></message>`,
    });
    assert.equal(response.status, 202);
    await alice.waitFor(bodyIs(text));
  });
});

describe('media type and size', () => {
  // JSON, form and text bodies have their own file (rest-formats.test.ts).
  for (const contentType of ['text/html', 'application/xml', 'application/xmpp+xml; charset=latin1', 'text/xml']) {
    it(`Content-Type ${contentType}: 415`, async () => {
      const response = await rest(gateway, { contentType, body: '<message to="alice@localhost"/>' });
      assert.equal(response.status, 415);
      assert.equal(response.body, xmlError('bad-format', 'Unsupported media type'));
    });
  }

  it('no Content-Type: 415', async () => {
    const response = await rest(gateway, { contentType: null, body: new TextEncoder().encode('<message/>') });
    assert.equal(response.status, 415);
  });

  it('accepts parameters such as charset=utf-8', async () => {
    const text = uniqueBody();
    const response = await rest(gateway, {
      contentType: 'application/xmpp+xml; charset=UTF-8',
      body: `<message to='alice@localhost/phone'><body>${text}</body></message>`,
    });
    assert.equal(response.status, 202);
    await alice.waitFor(bodyIs(text));
  });

  it('a declared body over the limit: 413 without reading it', async () => {
    const body = `<message to='alice@localhost'><body>${'x'.repeat(MAX_BODY)}</body></message>`;
    const response = await rest(gateway, { body });
    assert.equal(response.status, 413);
    assert.equal(response.body, xmlError('resource-constraint', 'Payload too large'));
  });

  it('a declared body over the limit: 413 before the client sends a byte of it', async () => {
    const tooLong = String(MAX_BODY + 1);
    assert.match(await answerToHead(gateway, { 'Content-Length': tooLong }), /^HTTP\/1\.1 413 /);
    // A client that waits for 100 Continue is told 413 instead, never to go on.
    assert.match(
      await answerToHead(gateway, { 'Content-Length': tooLong, Expect: '100-continue' }),
      /^HTTP\/1\.1 413 /,
    );
    // At the limit it is told to go on: the refusal above was the declared length, not the wait.
    assert.match(
      await answerToHead(gateway, { 'Content-Length': String(MAX_BODY), Expect: '100-continue' }),
      /^HTTP\/1\.1 100 Continue\r\n/,
    );
  });

  it('a chunked body that grows over the limit: 413 while the client is still sending', async () => {
    const { status, sentBytes } = await streamUntilAnswered(gateway, 1024, 1024 * 1024);
    assert.equal(status, 413);
    assert.ok(sentBytes < 256 * 1024, `answered after ${sentBytes} bytes, not after the whole body`);
  });

  it('a body of exactly the limit is read', async () => {
    const prefix = "<message to='alice@localhost/phone'><body>";
    const suffix = '</body></message>';
    const text = 'y'.repeat(MAX_BODY - prefix.length - suffix.length);
    const response = await rest(gateway, { body: prefix + text + suffix });
    assert.equal(response.status, 202);
    await alice.waitFor(bodyIs(text));
  });
});

describe('payloads that do not parse: 400 not-well-formed', () => {
  const cases: [string, string | Uint8Array][] = [
    ['empty body', ''],
    ['whitespace only', '  \n\t '],
    ['the stray </body> of the mod_rest README', "<message to='alice@localhost'><body>Hello</body></body></message>"],
    ['unclosed element', "<message to='alice@localhost'><body>Hello</body>"],
    ['two root elements', '<message/><message/>'],
    ['text after the root', '<message/>trailing'],
    ['text before the root', 'leading<message/>'],
    ['a comment before the root', '<!-- hi --><message/>'],
    ['a comment after the root', '<message/><!-- hi -->'],
    ['an undeclared prefix', '<message><foo:bar/></message>'],
    [
      'invalid UTF-8',
      new Uint8Array([
        0x3c, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x6d, 0x65, 0x73, 0x73, 0x61,
        0x67, 0x65, 0x3e,
      ]),
    ],
    ['a DOCTYPE', '<!DOCTYPE message><message/>'],
    ['an entity declaration', '<!DOCTYPE m [<!ENTITY x "boom">]><message><body>&x;</body></message>'],
    ['an undefined entity', '<message><body>&x;</body></message>'],
    ['a processing instruction', '<?xml-stylesheet href="a.xsl"?><message/>'],
    ['a processing instruction inside', '<message><?php echo 1 ?></message>'],
    ['an XML declaration that is not first', ' <message/><?xml version="1.0"?>'],
    ['a declared encoding other than UTF-8', "<?xml version='1.0' encoding='ISO-8859-1'?><message/>"],
    ['a forbidden control character', '<message><body>\u0001</body></message>'],
    ['a duplicate attribute', "<message to='a@localhost' to='b@localhost'/>"],
  ];
  for (const [name, body] of cases) {
    it(name, async () => {
      const response = await rest(gateway, { body });
      assert.equal(response.status, 400, response.body);
      assert.equal(response.body, xmlError('not-well-formed', 'Failed to parse payload'));
    });
  }

  it('tolerates an XML declaration before the root, as mod_rest does', async () => {
    const text = uniqueBody();
    const response = await rest(gateway, {
      body: `<?xml version='1.0' encoding='utf-8'?>\n<message to='alice@localhost/phone'><body>${text}</body></message>`,
    });
    assert.equal(response.status, 202);
    await alice.waitFor(bodyIs(text));
  });
});

describe('stanza rules: 422 and 403', () => {
  const cases: [string, string, number, string, string][] = [
    [
      'root not a stanza',
      '<foo/>',
      422,
      'unsupported-stanza-type',
      "Invalid stanza, must be 'message', 'presence' or 'iq'.",
    ],
    [
      'root a stream',
      "<stream:stream xmlns:stream='http://etherx.jabber.org/streams'/>",
      422,
      'unsupported-stanza-type',
      "Invalid stanza, must be 'message', 'presence' or 'iq'.",
    ],
    [
      'xmlns jabber:server',
      "<message xmlns='jabber:server' to='alice@localhost'/>",
      422,
      'invalid-namespace',
      "'xmlns' attribute must be empty",
    ],
    [
      'xmlns jabber:component:accept',
      "<message xmlns='jabber:component:accept' to='alice@localhost'/>",
      422,
      'invalid-namespace',
      "'xmlns' attribute must be empty",
    ],
    ['to not a JID', "<message to='alice@@localhost'/>", 422, 'improper-addressing', 'Invalid destination JID'],
    ['to with a space', "<message to='alice smith@localhost'/>", 422, 'improper-addressing', 'Invalid destination JID'],
    ['to empty', "<message to=''/>", 422, 'improper-addressing', 'Invalid destination JID'],
    [
      'from not a JID',
      "<message to='alice@localhost' from='@rest.localhost'/>",
      422,
      'invalid-from',
      'Invalid source JID',
    ],
    [
      'from outside the domain',
      "<message to='alice@localhost' from='localhost'/>",
      403,
      'not-authorized',
      "Not authorized to send stanza with requested 'from'",
    ],
    [
      'from a subdomain',
      "<message to='alice@localhost' from='x.rest.localhost'/>",
      403,
      'not-authorized',
      "Not authorized to send stanza with requested 'from'",
    ],
    [
      'from a user of the server',
      "<message to='alice@localhost' from='bob@localhost/x'/>",
      403,
      'not-authorized',
      "Not authorized to send stanza with requested 'from'",
    ],
    [
      'iq of type result',
      "<iq type='result' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
      422,
      'invalid-xml',
      "'iq' stanza must be of type 'get' or 'set'",
    ],
    [
      'iq without type',
      "<iq to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
      422,
      'invalid-xml',
      "'iq' stanza must be of type 'get' or 'set'",
    ],
    [
      'iq without child',
      "<iq type='get' to='localhost'/>",
      422,
      'bad-format',
      "'iq' stanza must have exactly one child tag",
    ],
    [
      'iq with two children',
      "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/></iq>",
      422,
      'bad-format',
      "'iq' stanza must have exactly one child tag",
    ],
  ];
  for (const [name, body, status, condition, text] of cases) {
    it(`${name}: ${status} ${condition}`, async () => {
      const response = await rest(gateway, { body });
      assert.equal(response.status, status, response.body);
      assert.equal(response.body, xmlError(condition, text));
    });
  }

  it('the link survives a refused from (Prosody would close the stream for it)', async () => {
    await rest(gateway, { body: "<message to='alice@localhost' from='evil.example'/>" });
    const response = await rest(gateway, { body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>" });
    assert.equal(response.status, 200);
    assert.equal(gateway.app.core.status().link.connects, 1);
  });
});

describe('accepted messages and presences: 202', () => {
  it('delivers a message from the component domain, id generated, xml:lang kept, other attributes dropped', async () => {
    const text = uniqueBody();
    const response = await rest(gateway, {
      body: `<message xmlns='jabber:client' to='ALICE@LocalHost/phone' type='chat' xml:lang='de' foo='bar'><body>${text}</body></message>`,
    });
    assert.equal(response.status, 202);
    assert.equal(response.body, '');
    const received = await alice.waitFor(bodyIs(text));
    assert.equal(received.attrs.from, DOMAIN);
    assert.equal(received.attrs.to, 'alice@localhost/phone');
    assert.equal(received.attrs.type, 'chat');
    assert.equal(received.attrs['xml:lang'], 'de');
    assert.equal(received.attrs.foo, undefined);
    assert.match(received.attrs.id ?? '', /^[0-9a-f-]{36}$/);
  });

  it('keeps a given id and a from at the domain (node@domain/resource)', async () => {
    const text = uniqueBody();
    const response = await rest(gateway, {
      body: `<message to='alice@localhost/phone' id='given-id-1' from='Bot@Rest.Localhost/Work'><body>${text}</body></message>`,
    });
    assert.equal(response.status, 202);
    const received = await alice.waitFor(bodyIs(text));
    assert.equal(received.attrs.id, 'given-id-1');
    assert.equal(received.attrs.from, 'bot@rest.localhost/Work');
  });

  it('delivers payload XML unchanged: escaping, namespaces, mixed content', async () => {
    const text = uniqueBody();
    const payload =
      "<x xmlns='urn:example:x' a='1 &amp; &lt;2&gt; &quot;q&quot; &apos;s&apos;'>one <b>two</b> &amp; three<y:z xmlns:y='urn:example:y' y:attr='v'/></x>";
    const response = await rest(gateway, {
      body: `<message to='alice@localhost/phone'><body>${text}</body>${payload}</message>`,
    });
    assert.equal(response.status, 202);
    const received = await alice.waitFor(bodyIs(text));
    const x = received.getChild('x', 'urn:example:x')!;
    assert.equal(x.attrs.a, `1 & <2> "q" 's'`);
    assert.equal(x.getText(), 'one  & three');
    assert.equal(x.getChild('b')!.getText(), 'two');
    // Prosody re-prefixes namespaced attributes on the way (ns1:attr); the namespace is what counts.
    const z = x.getChildElements()[1]!;
    assert.equal(z.getNS(), 'urn:example:y');
    const [prefixed] = Object.keys(z.attrs).filter((name) => name.endsWith(':attr'));
    assert.equal(z.attrs[`xmlns:${prefixed!.split(':')[0]}`], 'urn:example:y');
    assert.equal(z.attrs[prefixed!], 'v');
  });

  it('delivers a directed presence', async () => {
    const response = await rest(gateway, {
      body: "<presence to='alice@localhost/phone' from='bot@rest.localhost' id='presence-1'><status>busy bot</status></presence>",
    });
    assert.equal(response.status, 202);
    const received = await alice.waitFor((s) => s.name === 'presence' && s.attrs.id === 'presence-1');
    assert.equal(received.attrs.from, 'bot@rest.localhost');
    assert.equal(received.getChildText('status'), 'busy bot');
  });

  it('a stanza without to goes to the component domain and comes back inbound', async () => {
    const text = uniqueBody();
    const inbound = new Promise<string>((resolve) => {
      const unsubscribe = gateway.app.core.inbound.subscribe((stanza) => {
        if (stanza.kind === 'message' && stanza.element.getChildText('body') === text) {
          unsubscribe();
          resolve(stanza.to.toString());
        }
      });
    });
    const response = await rest(gateway, { body: `<message><body>${text}</body></message>` });
    assert.equal(response.status, 202);
    assert.equal(await inbound, DOMAIN);
  });
});

describe('iq: 200 with the reply, 504 on timeout', () => {
  it('returns the ping reply, serialized without xmlns', async () => {
    const response = await rest(gateway, {
      body: "<iq type='get' to='localhost' id='ping-1'><ping xmlns='urn:xmpp:ping'/></iq>",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/xmpp+xml');
    assert.match(response.body, /^<iq [^>]*type='result'/);
    assert.match(response.body, /id='ping-1'/);
    assert.match(response.body, /from='localhost'/);
    assert.doesNotMatch(response.body, /^<iq [^>]*xmlns=/);
  });

  it('returns the payload a client answers with', async () => {
    const response = await rest(gateway, {
      body: "<iq type='get' to='alice@localhost/phone' id='echo-1'><query xmlns='urn:example:echo'><item>v &amp; w</item></query></iq>",
    });
    assert.equal(response.status, 200);
    assert.match(response.body, /type='result'/);
    assert.match(response.body, /<query xmlns='urn:example:echo'><item>v &amp; w<\/item><\/query>/);
  });

  it('a stanza error is still 200: the HTTP exchange worked', async () => {
    const response = await rest(gateway, {
      body: "<iq type='get' to='alice@localhost/offline'><ping xmlns='urn:xmpp:ping'/></iq>",
    });
    assert.equal(response.status, 200);
    assert.match(response.body, /type='error'/);
    assert.match(response.body, /<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'\/>/);
  });

  it('the gateway answers ping and disco#info at its own domain', async () => {
    const ping = await rest(gateway, { body: "<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>" });
    assert.equal(ping.status, 200);
    assert.match(ping.body, /type='result'/);
    const disco = await rest(gateway, {
      body: `<iq type='get' to='${DOMAIN}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
    });
    // Prosody re-orders attributes when it routes a stanza.
    assert.match(disco.body, /<identity (?=[^>]*category='component')(?=[^>]*type='generic')/);
    assert.match(disco.body, /<feature var='urn:xmpp:ping'\/>/);
  });

  it('no reply in time: 504 remote-server-timeout (deviation: mod_rest answers 500)', async () => {
    const response = await rest(gateway, {
      body: "<iq type='get' to='alice@localhost/phone'><query xmlns='urn:example:silent'/></iq>",
    });
    assert.equal(response.status, 504);
    assert.equal(response.body, xmlError('remote-server-timeout', 'IQ stanza timed out'));
  });

  it('Prosody-Rest-Timeout shortens the wait (fractions allowed)', async () => {
    const started = Date.now();
    const response = await rest(gateway, {
      headers: { 'Prosody-Rest-Timeout': '0.2' },
      body: "<iq type='get' to='alice@localhost/phone'><query xmlns='urn:example:silent'/></iq>",
    });
    assert.equal(response.status, 504);
    assert.ok(Date.now() - started < 900, 'answered before the 1 s default');
  });

  it('Prosody-Rest-Timeout lengthens the wait past the default', async () => {
    // Alice answers after 1.5 s: past the 1 s default, within the requested 5 s.
    alice.client.iqCallee.get('urn:example:slow', 'query', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return true;
    });
    const response = await rest(gateway, {
      headers: { 'Prosody-Rest-Timeout': '5' },
      body: "<iq type='get' to='alice@localhost/phone'><query xmlns='urn:example:slow'/></iq>",
    });
    assert.equal(response.status, 200);
    assert.match(response.body, /type='result'/);
  });

  it('a Prosody-Rest-Timeout that is not a number is ignored', async () => {
    const started = Date.now();
    const response = await rest(gateway, {
      headers: { 'Prosody-Rest-Timeout': 'soon' },
      body: "<iq type='get' to='alice@localhost/phone'><query xmlns='urn:example:silent'/></iq>",
    });
    assert.equal(response.status, 504);
    assert.ok(Date.now() - started >= 900, 'waited the 1 s default');
  });

  it('two iqs with the same id to the same address at once: 409 for the second', async () => {
    const body = "<iq type='get' to='alice@localhost/phone' id='dup-1'><query xmlns='urn:example:silent'/></iq>";
    const first = rest(gateway, { body, headers: { 'Prosody-Rest-Timeout': '0.5' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await rest(gateway, { body });
    assert.equal(second.status, 409);
    assert.equal((await first).status, 504);
  });
});

describe('methods, CORS and error formats', () => {
  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    it(`${method} /rest: 405 with Allow`, async () => {
      const response = await rest(gateway, { method, body: '<message/>' });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'POST, GET, OPTIONS');
    });
  }

  it('/rest/ (trailing slash) is the same route', async () => {
    const response = await fetch(`${gateway.url}/rest/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${gateway.token}`, 'Content-Type': 'application/xmpp+xml' },
      body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
    });
    assert.equal(response.status, 200);
  });

  it('CORS preflight: 204, headers only for a configured origin', async () => {
    const allowed = await fetch(`${gateway.url}/rest`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const other = await fetch(`${gateway.url}/rest`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(other.status, 204);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('error bodies follow Accept: JSON', async () => {
    const response = await rest(gateway, {
      token: 'wrong-token-wrong-token',
      headers: { Accept: 'application/json' },
      body: '<message/>',
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(JSON.parse(response.body), {
      type: 'error',
      code: 403,
      error: { type: 'auth', condition: 'not-authorized', text: 'Credentials not accepted' },
    });
  });

  it('error bodies are XML when Accept asks for neither (deviation: never HTML)', async () => {
    const response = await rest(gateway, { token: null, headers: { Accept: 'text/html' }, body: '<message/>' });
    assert.equal(response.headers.get('content-type'), 'application/xmpp+xml');
    assert.equal(response.body, xmlError('not-authorized', 'No credentials provided'));
  });

  it('JSON errors honour q-values', async () => {
    const response = await rest(gateway, {
      headers: { Accept: 'application/xmpp+xml;q=0.5, application/json' },
      body: '<foo/>',
    });
    assert.equal(response.status, 422);
    assert.equal(
      (JSON.parse(response.body) as { error: { condition: string } }).error.condition,
      'unsupported-stanza-type',
    );
  });
});
