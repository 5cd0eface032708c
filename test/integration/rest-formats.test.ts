import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Element, parse } from 'ltx';
import { parseXmlElement, type Stanza } from '../../src/xmpp/codec/index.ts';
import { type JsonObject, jsonFromElement } from '../../src/xmpp/codec/json-mapping/index.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { iqPayloads, samples } from '../support/json-samples.ts';
import { startXmppServer, traits, type XmppServer } from '../support/xmpp-server.ts';
import { rest, sentCount, xmlError } from '../support/rest-client.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * mod_rest's JSON, form and text bodies on POST /rest against a real Prosody: every format in,
 * every reply format out, echo, the JSON mapping of every field through the server, a custom
 * payload both ways, and the 4xx answers that never reach the server.
 */
let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;
const ALICE = 'alice@localhost/phone';
const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';

/** What alice's client answers with the payload it was sent (an echo), for get and set. */
const echoed: [string, string][] = [
  ['urn:xmpp:ping', 'ping'],
  ['jabber:iq:version', 'query'],
  ['jabber:iq:last', 'query'],
  ['urn:xmpp:extdisco:2', 'services'],
  ['urn:xmpp:mam:2', 'query'],
  ['urn:xmpp:mam:2', 'fin'],
  ['urn:xmpp:http:upload:0', 'request'],
  ['urn:xmpp:http:upload:0', 'slot'],
  ['http://jabber.org/protocol/stats', 'query'],
  ['jabber:iq:oob', 'query'],
  ['jabber:iq:register', 'query'],
  ['jabber:iq:gateway', 'query'],
  ['http://jabber.org/protocol/disco#info', 'query'],
  ['http://jabber.org/protocol/disco#items', 'query'],
  ['http://jabber.org/protocol/commands', 'command'],
  ['urn:xmpp:json-msg:0', 'payload'],
  ['urn:example:bot', 'query'],
];

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, { IQ_TIMEOUT_MS: '5000' });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  for (const [ns, name] of echoed) {
    alice.client.iqCallee.get(ns, name, ({ stanza }) => stanza.getChild(name, ns)!);
    alice.client.iqCallee.set(ns, name, ({ stanza }) => stanza.getChild(name, ns)!);
  }
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

let counter = 0;
const marker = () => `marker-${(counter += 1)}-${Date.now()}`;
const bodyIs = (text: string) => (stanza: Element) => stanza.name === 'message' && stanza.getChildText('body') === text;
const post = (contentType: string, body: string, headers: Record<string, string> = {}, path = '') =>
  rest(gateway, { contentType, body, headers, path });

/** Resolves with the next inbound stanza at the gateway that matches (what comes back to its own domain). */
function inbound(match: (stanza: Stanza) => boolean): Promise<Stanza> {
  return new Promise((resolve) => {
    const stop = gateway.app.core.inbound.subscribe((stanza) => {
      if (!match(stanza)) return;
      stop();
      resolve(stanza);
    });
  });
}

describe('request formats in', () => {
  it('JSON: a message, with mod_rest field names', async () => {
    const text = marker();
    const response = await post(JSON_TYPE, JSON.stringify({ kind: 'message', type: 'chat', to: ALICE, body: text }));
    assert.equal(response.status, 202);
    const received = await alice.waitFor(bodyIs(text));
    assert.equal(received.attrs.type, 'chat');
    assert.equal(received.attrs.from, 'rest.localhost');
  });

  it('JSON: the kind implied by a field (show → presence)', async () => {
    const status = marker();
    const response = await post(JSON_TYPE, JSON.stringify({ to: ALICE, show: 'away', status }));
    assert.equal(response.status, 202);
    const received = await alice.waitFor((s) => s.name === 'presence' && s.getChildText('status') === status);
    assert.equal(received.getChildText('show'), 'away');
  });

  it('form: the same mapping, flat', async () => {
    const text = marker();
    const body = `to=${encodeURIComponent(ALICE)}&type=chat&body=${encodeURIComponent(text)}+%C3%BC`;
    assert.equal((await post(FORM, body)).status, 202);
    await alice.waitFor(bodyIs(`${text} ü`));
  });

  it('text: a chat message with no to, so it comes back to the gateway domain', async () => {
    const text = marker();
    const back = inbound((stanza) => stanza.element.getChildText('body') === text);
    assert.equal((await post('text/plain; charset=utf-8', text)).status, 202);
    const stanza = await back;
    assert.equal(stanza.type, 'chat');
    assert.equal(stanza.to.toString(), 'rest.localhost');
  });

  it('a form body that is not key=value pairs is text', async () => {
    const text = marker();
    const back = inbound((stanza) => stanza.element.getChildText('body') === `${text} x+y`);
    assert.equal((await post(FORM, `${text}%20x+y`)).status, 202);
    await back;
  });

  it('JSON: an iq, answered with 200 and the reply in JSON', async () => {
    const response = await post(JSON_TYPE, JSON.stringify({ to: 'localhost', ping: true, id: 'json-ping' }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), JSON_TYPE);
    assert.deepEqual(JSON.parse(response.body), {
      kind: 'iq',
      type: 'result',
      to: 'rest.localhost',
      from: 'localhost',
      id: 'json-ping',
    });
  });
});

describe('reply formats out: Accept, then the request Content-Type, then XML', () => {
  const ping = "<iq type='get' to='localhost' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>";
  for (const [name, contentType, body, accept, expected] of [
    ['XML in, Accept JSON', 'application/xmpp+xml', ping, JSON_TYPE, JSON_TYPE],
    ['XML in, Accept form', 'application/xmpp+xml', ping, FORM, FORM],
    ['XML in, Accept */*', 'application/xmpp+xml', ping, '*/*', 'application/xmpp+xml'],
    ['JSON in, Accept */*', JSON_TYPE, '{"to":"localhost","ping":true,"id":"p1"}', '*/*', JSON_TYPE],
    ['form in, no Accept', FORM, 'to=localhost&type=get&id=p1&kind=iq&disco=', '', FORM],
    [
      'JSON in, Accept XML',
      JSON_TYPE,
      '{"to":"localhost","ping":true,"id":"p1"}',
      'application/xmpp+xml',
      'application/xmpp+xml',
    ],
    [
      'XML in, JSON preferred by q',
      'application/xmpp+xml',
      ping,
      'application/xmpp+xml;q=0.4, application/json;q=0.8',
      JSON_TYPE,
    ],
  ] as const) {
    it(name, async () => {
      const response = await post(contentType, body, accept === '' ? {} : { Accept: accept });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), expected);
      if (expected === JSON_TYPE) assert.equal((JSON.parse(response.body) as JsonObject).from, 'localhost');
      if (expected === FORM) assert.match(response.body, /(^|&)from=localhost(&|$)/);
      if (expected === 'application/xmpp+xml') assert.match(response.body, /^<iq [^>]*type='result'/);
    });
  }

  it('a stanza error in form: its parts as error_* fields', async () => {
    const response = await post(FORM, 'kind=iq&type=get&to=localhost&version=', {}, '');
    assert.equal(response.status, 422); // version= is a string: no payload (mod_rest too)
    const reply = await post(JSON_TYPE, '{"to":"localhost","items":"no-such-node"}', { Accept: FORM });
    assert.equal(reply.status, 200);
    const fields = new URLSearchParams(reply.body);
    assert.equal(fields.get('type'), 'error');
    assert.equal(fields.get('error_condition'), 'item-not-found');
  });

  it('error bodies follow the request Content-Type when Accept names no format', async () => {
    const json = await post(JSON_TYPE, '{"kind":"foo"}', { Accept: '*/*' });
    assert.equal(json.status, 400);
    assert.equal(json.headers.get('content-type'), JSON_TYPE);
    assert.deepEqual(JSON.parse(json.body), {
      type: 'error',
      code: 400,
      error: { type: 'modify', condition: 'not-well-formed', text: 'Failed to parse payload' },
    });
    const form = await post(FORM, 'kind=foo');
    assert.equal(form.headers.get('content-type'), FORM);
    assert.equal(
      form.body,
      'type=error&code=400&error_type=modify&error_condition=not-well-formed&error_text=Failed%20to%20parse%20payload',
    );
  });
});

describe('POST /rest/echo', () => {
  it('returns the stanza normalised, in the negotiated format, without sending it', async () => {
    const before = sentCount(gateway);
    const response = await post(
      JSON_TYPE,
      JSON.stringify({ to: 'ALICE@LocalHost/phone', body: 'not sent', lang: 'en' }),
      {},
      '/echo',
    );
    assert.equal(response.status, 200);
    const echoed = JSON.parse(response.body) as JsonObject;
    assert.equal(typeof echoed.id, 'string');
    assert.deepEqual(
      { ...echoed, id: 'x' },
      {
        kind: 'message',
        to: 'alice@localhost/phone',
        from: 'rest.localhost',
        id: 'x',
        lang: 'en',
        body: 'not sent',
      },
    );
    assert.equal(sentCount(gateway), before);
    await alice.expectNone(bodyIs('not sent'), 200);
  });

  it('echoes XML as JSON with a custom payload in the xml field, and as a form', async () => {
    const xml = "<message to='alice@localhost' id='e1'><body>b</body><x xmlns='urn:example:custom' a='1'/></message>";
    const asJson = JSON.parse(
      (await post('application/xmpp+xml', xml, { Accept: JSON_TYPE }, '/echo')).body,
    ) as JsonObject;
    assert.equal(asJson.xml, "<x xmlns='urn:example:custom' a='1'/>");
    const asForm = await post('application/xmpp+xml', xml, { Accept: FORM }, '/echo');
    assert.equal(
      asForm.body,
      "kind=message&to=alice%40localhost&from=rest.localhost&id=e1&body=b&xml=%3Cx%20xmlns%3D'urn%3Aexample%3Acustom'%20a%3D'1'%2F%3E",
    );
  });

  it('checks an iq like a send: no payload is 422 (deviation: mod_rest echoes it)', async () => {
    const response = await post(JSON_TYPE, '{"kind":"iq","to":"localhost"}', {}, '/echo');
    assert.equal(response.status, 422);
  });
});

describe('refused before the XMPP server: the documented 4xx', () => {
  for (const [name, contentType, body, path, status, condition] of [
    ['malformed JSON', JSON_TYPE, '{"to":"alice@localhost","body":', '', 400, 'not-well-formed'],
    ['a JSON array', JSON_TYPE, '[{"to":"alice@localhost","body":"x"}]', '', 400, 'not-well-formed'],
    ['an empty JSON object', JSON_TYPE, '{}', '', 400, 'not-well-formed'],
    ['an unknown kind', JSON_TYPE, '{"kind":"mesage","to":"alice@localhost"}', '', 400, 'not-well-formed'],
    ['a control character in JSON', JSON_TYPE, '{"to":"alice@localhost","body":"\\u0001"}', '', 400, 'not-acceptable'],
    ['a form iq whose ping=true is only a string', FORM, 'kind=iq&to=localhost&ping=true', '', 422, 'bad-format'],
    ['a text body on an iq route', 'text/plain', 'ping', '/iq/get/localhost', 400, 'not-well-formed'],
    ['a text body on an iq query route', 'text/plain', 'x', '/iq/ping/localhost', 400, 'not-well-formed'],
    ['an unknown kind in the path', JSON_TYPE, '{}', '/mesage/chat/alice@localhost', 400, 'not-well-formed'],
    ['JSON with an invalid to', JSON_TYPE, '{"to":"a@b@c","body":"x"}', '', 422, 'improper-addressing'],
    [
      'JSON with a from outside the domain',
      JSON_TYPE,
      '{"to":"alice@localhost","from":"mallory@localhost","body":"x"}',
      '',
      403,
      'not-authorized',
    ],
    [
      'an iq of type result',
      JSON_TYPE,
      '{"kind":"iq","type":"result","to":"localhost","ping":true}',
      '',
      422,
      'invalid-xml',
    ],
    ['a bad percent-escape in the path', JSON_TYPE, '{}', '/message/chat/%E0%A4%A', 400, 'not-well-formed'],
    [
      'XHTML that is not XML',
      JSON_TYPE,
      '{"to":"alice@localhost","html":"<body><p></body>"}',
      '',
      400,
      'not-well-formed',
    ],
  ] as const) {
    it(`${name}: ${status} ${condition}`, async () => {
      const before = sentCount(gateway);
      const response = await post(contentType, body, { Accept: 'application/xmpp+xml' }, path);
      assert.equal(response.status, status);
      assert.match(response.body, new RegExp(`<${condition} `));
      assert.equal(sentCount(gateway), before);
    });
  }

  it('a GET query string that is not key=value pairs: 400', async () => {
    const before = sentCount(gateway);
    const response = await rest(gateway, { method: 'GET', path: '/ping/localhost?hello', contentType: null });
    assert.equal(response.status, 400);
    assert.equal(response.body, xmlError('not-well-formed', 'Failed to parse payload'));
    assert.equal(sentCount(gateway), before);
  });
});

describe('the JSON mapping of every field, through the server', () => {
  it('a message with every message field reaches the client as the same fields', async () => {
    const id = marker();
    const sample = { ...samples.message, id };
    assert.equal((await post(JSON_TYPE, JSON.stringify(sample))).status, 202);
    const received = await alice.waitFor((s) => s.name === 'message' && s.attrs.id === id);
    const json = jsonFromElement(parseXmlElement(received.toString(), { maxBytes: 1 << 20 }));
    assert.deepEqual(json, { ...sample, to: ALICE, from: 'bot@rest.localhost' });
  });

  it('a presence with every presence field reaches the client as the same fields', async () => {
    const id = marker();
    const sample = { ...samples.presence, id, to: ALICE };
    assert.equal((await post(JSON_TYPE, JSON.stringify(sample))).status, 202);
    const received = await alice.waitFor((s) => s.name === 'presence' && s.attrs.id === id);
    assert.deepEqual(jsonFromElement(parseXmlElement(received.toString(), { maxBytes: 1 << 20 })), sample);
  });

  for (const payload of iqPayloads) {
    it(`iq ${Object.keys(payload)[0]}: sent as JSON, echoed by the client, the same field in the JSON reply`, async () => {
      const [field] = Object.keys(payload) as [string];
      const type = field === 'command' || field === 'archive' ? 'set' : 'get';
      const response = await post(JSON_TYPE, JSON.stringify({ kind: 'iq', type, to: ALICE, ...payload }));
      assert.equal(response.status, 200, response.body);
      const reply = JSON.parse(response.body) as JsonObject;
      if (field === 'lastactivity' && traits.answersLastActivityItself) {
        // The server answered for the client: its stanza error, mapped, with the query sent.
        assert.equal(reply.type, 'error', response.body);
        assert.deepEqual(reply.error, { type: 'cancel', condition: 'service-unavailable' });
        return;
      }
      assert.equal(reply.type, 'result', response.body);
      assert.equal(reply.xml, undefined);
      assert.deepEqual(reply[field], payload[field]);
    });
  }
});

/** An element as plain data: deepEqual then ignores the order of attributes. */
type Tree = { name: string; attrs: Record<string, string>; children: (string | Tree)[] };
const tree = (element: Element): Tree => ({
  name: element.name,
  attrs: { ...element.attrs },
  children: element.children.map((child) => (typeof child === 'string' ? child : tree(child))),
});

describe('a custom payload survives JSON both ways', () => {
  const custom = "<query xmlns='urn:example:bot' mode='fast'><item n='1'>a &amp; b</item><item n='2'/></query>";

  it('an iq: sent in the xml field, echoed by the client, back in the xml field', async () => {
    const response = await post(JSON_TYPE, JSON.stringify({ kind: 'iq', type: 'get', to: ALICE, xml: custom }));
    assert.equal(response.status, 200);
    // Prosody writes attributes in varying order: compared as elements.
    const echoed = (JSON.parse(response.body) as JsonObject).xml as string;
    assert.deepEqual(tree(parse(echoed)), tree(parse(custom)));
  });

  it('a message: the client receives the element as it was written', async () => {
    const id = marker();
    const response = await post(JSON_TYPE, JSON.stringify({ to: ALICE, id, body: 'with payload', xml: custom }));
    assert.equal(response.status, 202);
    const received = await alice.waitFor((s) => s.name === 'message' && s.attrs.id === id);
    const query = received.getChild('query', 'urn:example:bot');
    assert.equal(query?.attrs.mode, 'fast');
    assert.deepEqual(
      query?.getChildren('item').map((item) => [item.attrs.n, item.getText()]),
      [
        ['1', 'a & b'],
        ['2', ''],
      ],
    );
  });
});
