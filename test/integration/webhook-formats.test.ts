import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Element } from 'ltx';
import { Webhook } from 'standardwebhooks';
import { parseXmlElement } from '../../src/xmpp/codec/index.ts';
import type { JsonObject } from '../../src/xmpp/codec/json-mapping/index.ts';
import type { TestGateway } from '../support/gateway.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { type Answer, type ReceivedRequest, type Receiver, startReceiver } from '../support/receiver.ts';
import { finalDelivery, uniqueId } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * The callback side of today's mod_rest, from a real XMPP client through Prosody: the body
 * format (setting and OPTIONS probe), replies read in every format, {kind}/{type}/{to}/{from}
 * in CALLBACK_URL, the stanza-kind filter and XEP-0184 receipts. Three gateways, each its own
 * component of one Prosody: rest.localhost (JSON, templated URL), form.localhost (XML set,
 * the probe picks form), kinds.localhost (messages only).
 */
const SECRET = 'whsec_' + Buffer.from('format-secret-0123456789').toString('base64');
const ALICE = 'alice@localhost/phone';
let prosody: XmppServer;
let alice: XmppUser;
const databases: TestDatabase[] = [];
const receivers: Record<'json' | 'form' | 'kinds', Receiver> = {} as never;
const gateways: Record<'json' | 'form' | 'kinds', TestGateway> = {} as never;

/** What each receiver answers, by a marker in the body (`case:NAME`), whatever the format. */
const answers: Record<string, Answer> = {
  'json-reply': {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: '{"body":"json reply","type":"chat"}',
  },
  'form-reply': {
    status: 200,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'body=form+reply&type=chat',
  },
  'text-reply': { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'plain reply' },
  'iq-json-reply': {
    status: 200,
    headers: { 'Content-Type': 'application/json' },
    body: '{"version":{"name":"bot","version":"1.0"}}',
  },
  'iq-json-get': { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"type":"get","ping":true}' },
  'iq-text': { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'not for an iq' },
  'status-202': { status: 202 },
  'status-204': { status: 204 },
  'status-500': { status: 500 },
};
function answer(request: ReceivedRequest): Answer {
  if (request.method === 'OPTIONS') return { status: 404 };
  const name = /case:([\w-]+)/.exec(decodeURIComponent(request.body.replace(/\+/g, ' ')))?.[1];
  return (name && answers[name]) || { status: 204 };
}

before(async () => {
  const components = { 'form.localhost': 'form-secret', 'kinds.localhost': 'kinds-secret' };
  prosody = await startXmppServer({ users: { alice: 'alice-pw' }, extraComponents: components });
  for (const name of ['json', 'form', 'kinds'] as const) receivers[name] = await startReceiver(answer);
  // The form receiver's probe answer names form first.
  receivers.form.handle((request) =>
    request.method === 'OPTIONS'
      ? { status: 200, headers: { Accept: 'application/x-www-form-urlencoded, application/json;q=0.5' } }
      : answer(request),
  );
  databases.push(...(await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()])));
  const base = (receiver: Receiver) => receiver.url.replace(/\/hook$/, '');
  gateways.json = await startWebhookGateway(
    prosody,
    `${base(receivers.json)}/hook/{kind}/{type}?to={to}&from={from}`,
    databases[0]!.url,
    { WEBHOOK_FORMAT: 'json', WEBHOOK_SECRET: SECRET },
  );
  gateways.form = await startWebhookGateway(prosody, `${base(receivers.form)}/hook/{kind}?to={to}`, databases[1]!.url, {
    XMPP_DOMAIN: 'form.localhost',
    XMPP_SECRET: 'form-secret',
  });
  gateways.kinds = await startWebhookGateway(prosody, receivers.kinds.url, databases[2]!.url, {
    XMPP_DOMAIN: 'kinds.localhost',
    XMPP_SECRET: 'kinds-secret',
    WEBHOOK_STANZA_KINDS: 'message',
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  for (const gateway of Object.values(gateways)) await gateway?.stop();
  for (const receiver of Object.values(receivers)) await receiver?.close();
  await prosody?.dispose();
  for (const database of databases) await database.drop();
});

/** Sends from alice and waits for the delivery to end. */
async function send(gateway: TestGateway, stanza: (id: string) => string): Promise<string> {
  const id = uniqueId('fmt');
  const outcome = finalDelivery(gateway, id);
  await alice.sendXml(stanza(id));
  await outcome;
  return id;
}
const from = (domain: string) => (stanza: Element) => stanza.attrs.from?.endsWith(domain) === true;
const posted = (receiver: Receiver, id: string) =>
  receiver.waitFor((request) => request.method === 'POST' && request.body.includes(id));

describe('the callback body format', () => {
  it('JSON (WEBHOOK_FORMAT=json; the probe answered 404): mod_rest fields, the rest in xml, signed', async () => {
    const id = await send(
      gateways.json,
      (id) =>
        `<message to='bot@rest.localhost' id='${id}' type='chat' xml:lang='en'><body>hello bot</body>` +
        `<x xmlns='urn:example:custom' a='1'/></message>`,
    );
    const request = await posted(receivers.json, id);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(
      request.headers.accept,
      'application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain',
    );
    const json = JSON.parse(request.body) as JsonObject;
    // Prosody writes attributes in varying order: the custom element is compared parsed.
    const custom = parseXmlElement(json.xml as string, { maxBytes: 1000 });
    assert.deepEqual([custom.name, custom.attrs], ['x', { xmlns: 'urn:example:custom', a: '1' }]);
    assert.deepEqual(
      { ...json, xml: 'x' },
      {
        kind: 'message',
        type: 'chat',
        to: 'bot@rest.localhost',
        from: ALICE,
        id,
        lang: 'en',
        body: 'hello bot',
        xml: 'x',
      },
    );
    // The signature covers the body as POSTed; standardwebhooks verifies it (and parses the JSON).
    const headers = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, String(request.headers[name])]),
    );
    assert.equal((new Webhook(SECRET).verify(request.body, headers) as JsonObject).body, 'hello bot');
  });

  it('{kind}, {type}, {to} and {from} in CALLBACK_URL, percent-encoded; an absent type is empty', async () => {
    const message = await send(
      gateways.json,
      (id) => `<message to='bot@rest.localhost' id='${id}' type='chat'><body>u</body></message>`,
    );
    assert.equal(
      (await posted(receivers.json, message)).url,
      '/hook/message/chat?to=bot%40rest.localhost&from=alice%40localhost%2Fphone',
    );
    const presence = await send(gateways.json, (id) => `<presence to='bot@rest.localhost/x y' id='${id}'/>`);
    assert.equal(
      (await posted(receivers.json, presence)).url,
      '/hook/presence/?to=bot%40rest.localhost%2Fx%20y&from=alice%40localhost%2Fphone',
    );
  });

  it('the OPTIONS probe at start: {kind} is meta; a 200 with Accept picks the format (form here)', async () => {
    const probe = receivers.form.requests.find((request) => request.method === 'OPTIONS');
    assert.equal(probe?.url, '/hook/meta?to=form.localhost');
    const jsonProbe = receivers.json.requests.find((request) => request.method === 'OPTIONS');
    assert.equal(jsonProbe?.url, '/hook/meta/info?to=rest.localhost&from=rest.localhost');
    const id = await send(
      gateways.form,
      (id) => `<message to='bot@form.localhost' id='${id}' type='chat'><body>formed</body></message>`,
    );
    const request = await posted(receivers.form, id);
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
    const fields = new URLSearchParams(request.body);
    assert.deepEqual(
      [fields.get('kind'), fields.get('type'), fields.get('to'), fields.get('from'), fields.get('body')],
      ['message', 'chat', 'bot@form.localhost', ALICE, 'formed'],
    );
  });
});

describe('replies in every format', () => {
  for (const [name, expected] of [
    ['json-reply', 'json reply'],
    ['form-reply', 'form reply'],
    ['text-reply', 'plain reply'],
  ] as const) {
    it(`${name}: a message to the sender`, async () => {
      const id = await send(
        gateways.json,
        (id) => `<message to='bot@rest.localhost' id='${id}' type='chat'><body>case:${name}</body></message>`,
      );
      const reply = await alice.waitFor((s) => from('rest.localhost')(s) && s.getChildText('body') === expected);
      assert.equal(reply.attrs.type, 'chat');
      assert.equal(reply.attrs.to, ALICE);
      assert.notEqual(reply.attrs.id, id);
    });
  }

  it('a JSON reply to an iq: a result with the mapped payload and the request id', async () => {
    const id = await send(
      gateways.json,
      (id) =>
        `<iq to='bot@rest.localhost' id='${id}' type='get'><query xmlns='urn:example:q'>case:iq-json-reply</query></iq>`,
    );
    const reply = await alice.waitFor((s) => s.name === 'iq' && s.attrs.id === id);
    assert.equal(reply.attrs.type, 'result');
    assert.equal(reply.getChild('query', 'jabber:iq:version')?.getChildText('name'), 'bot');
  });

  for (const name of ['iq-json-get', 'iq-text']) {
    it(`${name}: not a reply to an iq, which gets internal-server-error`, async () => {
      const id = await send(
        gateways.json,
        (id) =>
          `<iq to='bot@rest.localhost' id='${id}' type='get'><query xmlns='urn:example:q'>case:${name}</query></iq>`,
      );
      const reply = await alice.waitFor((s) => s.name === 'iq' && s.attrs.id === id);
      assert.equal(reply.attrs.type, 'error');
      assert.ok(reply.getChild('error')?.getChild('internal-server-error'));
    });
  }
});

describe('XEP-0184 receipts', () => {
  const asking = (name: string) => (id: string) =>
    `<message to='bot@rest.localhost' id='${id}' type='chat'><body>case:${name}</body><request xmlns='urn:xmpp:receipts'/></message>`;
  const receiptFor = (id: string) => (stanza: Element) =>
    stanza.name === 'message' && stanza.getChild('received', 'urn:xmpp:receipts')?.attrs.id === id;

  for (const name of ['status-202', 'status-204']) {
    it(`answered ${name.slice(-3)}: a <received/> with the message id`, async () => {
      const id = await send(gateways.json, asking(name));
      const receipt = await alice.waitFor(receiptFor(id));
      assert.equal(receipt.attrs.from, 'bot@rest.localhost');
      assert.equal(receipt.getChildText('body'), null);
    });
  }

  it('answered with a reply: the receipt rides in it', async () => {
    const id = await send(gateways.json, asking('json-reply'));
    const reply = await alice.waitFor(receiptFor(id));
    assert.equal(reply.getChildText('body'), 'json reply');
  });

  it('answered 500: no receipt (the error instead)', async () => {
    const id = await send(gateways.json, asking('status-500'));
    await alice.waitFor((s) => s.attrs.id === id && s.attrs.type === 'error');
    await alice.expectNone(receiptFor(id), 300);
  });
});

describe('WEBHOOK_STANZA_KINDS', () => {
  it('only the kinds listed are POSTed; an iq left out gets service-unavailable from the gateway', async () => {
    const message = await send(
      gateways.kinds,
      (id) => `<message to='bot@kinds.localhost' id='${id}'><body>in</body></message>`,
    );
    await posted(receivers.kinds, message);
    const presenceId = uniqueId('kinds');
    await alice.sendXml(`<presence to='bot@kinds.localhost' id='${presenceId}'/>`);
    const iqId = uniqueId('kinds');
    await alice.sendXml(`<iq to='bot@kinds.localhost' id='${iqId}' type='get'><query xmlns='urn:example:q'/></iq>`);
    const reply = await alice.waitFor((s) => s.name === 'iq' && s.attrs.id === iqId);
    assert.ok(reply.getChild('error')?.getChild('service-unavailable'));
    // A message from the same sender is POSTed in order: the presence would have come before it.
    const marker = await send(
      gateways.kinds,
      (id) => `<message to='bot@kinds.localhost' id='${id}'><body>marker</body></message>`,
    );
    await posted(receivers.kinds, marker);
    assert.equal(receivers.kinds.matching((r) => r.body.includes(presenceId) || r.body.includes(iqId)).length, 0);
  });
});
