import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Element } from 'ltx';
import type { Stanza } from '../../src/xmpp/codec/index.ts';
import type { JsonObject } from '../../src/xmpp/codec/json-mapping/index.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
// Prosody only: the MUC archive and the extra modules these routes query are set up for Prosody.
import { startProsody, type Prosody } from '../../src/demo/local-prosody.ts';
import { rest, type RestRequest, sentCount } from '../support/rest-client.ts';
import { fillRoom } from '../support/muc-room.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * mod_rest's routes against a real Prosody: POST /rest/{kind}/{type}/{to}, every GET
 * shortcut (the archive one against a MUC room with history: a component cannot read a user's
 * own archive), the index and the 405s between them.
 */
let prosody: Prosody;
let gateway: TestGateway;
let alice: XmppUser;
let bob: XmppUser;
const ALICE = 'alice@localhost/phone';
const ROOM = 'room1@conference.localhost';
const BIG_ROOM = 'room2@conference.localhost';
const JSON_TYPE = 'application/json';
const asked: Element[] = [];

before(async () => {
  prosody = await startProsody({ users: { alice: 'alice-pw', bob: 'bob-pw' }, muc: true, modules: ['uptime'] });
  gateway = await startGateway(prosody, { IQ_TIMEOUT_MS: '5000', REST_MAX_ARCHIVE_RESULTS: '3' });
  [alice, bob] = await Promise.all([
    connectUser(prosody, 'alice', 'alice-pw', 'phone'),
    connectUser(prosody, 'bob', 'bob-pw', 'laptop'),
  ]);
  // alice answers the queries Prosody does not answer for a component, recording each request.
  const answer = (ns: string, name: string, reply: (request: Element) => Element) => {
    for (const type of ['get', 'set'] as const)
      alice.client.iqCallee[type](ns, name, ({ stanza }) => {
        const request = stanza.getChild(name, ns)!;
        asked.push(request);
        return reply(request);
      });
  };
  answer('urn:xmpp:http:upload:0', 'request', () =>
    xml(
      'slot',
      { xmlns: 'urn:xmpp:http:upload:0' },
      xml('put', { url: 'https://up.example/put/1' }, xml('header', { name: 'Authorization' }, 'Basic x')),
      xml('get', { url: 'https://up.example/get/1' }),
    ),
  );
  answer('urn:xmpp:extdisco:2', 'services', (request) =>
    xml(
      'services',
      { xmlns: 'urn:xmpp:extdisco:2' },
      xml('service', { type: request.attrs.type ?? 'turn', host: 'stun.example', port: '3478', transport: 'udp' }),
    ),
  );
  answer('http://jabber.org/protocol/stats', 'query', () =>
    xml(
      'query',
      { xmlns: 'http://jabber.org/protocol/stats' },
      xml('stat', { name: 'users', unit: 'users', value: '2' }),
    ),
  );
  for (const [ns, name] of [
    ['http://jabber.org/protocol/disco#info', 'query'],
    ['http://jabber.org/protocol/disco#items', 'query'],
    ['jabber:iq:oob', 'query'],
    ['urn:xmpp:json-msg:0', 'payload'],
  ] as const)
    answer(ns, name, (request) => request);
  await fillRoom(bob, ROOM, ['first', 'second', 'third']);
  await fillRoom(bob, BIG_ROOM, ['one', 'two', 'three', 'four']);
});

after(async () => {
  await Promise.all([alice?.stop(), bob?.stop()]);
  await gateway?.stop();
  await prosody?.dispose();
});

const get = (path: string, accept = JSON_TYPE, request: RestRequest = {}) =>
  rest(gateway, { method: 'GET', path, contentType: null, headers: { Accept: accept }, ...request });
const getJson = async (path: string) => {
  const response = await get(path);
  assert.equal(response.status, 200, response.body);
  assert.equal(response.headers.get('content-type'), JSON_TYPE);
  return JSON.parse(response.body) as JsonObject & { xmpp?: JsonObject[] };
};
const lastAsked = () => asked.at(-1)!;

describe('GET /rest/{query}/{to}', () => {
  it('ping: the result, XML by default', async () => {
    const response = await get('/ping/localhost', '*/*');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/xmpp+xml');
    assert.match(response.body, /^<iq [^>]*type='result'[^>]*\/>$/);
    assert.match(response.body, /from='localhost'/);
  });

  it('ping with an empty to: the gateway domain answers itself', async () => {
    assert.equal((await getJson('/ping/')).from, 'rest.localhost');
  });

  it('version', async () => {
    assert.deepEqual((await getJson('/version/localhost')).version, {
      name: 'Prosody',
      version: '0.12.3',
      os: 'Linux',
    });
  });

  it('disco: identities and features; ?node= reaches the entity', async () => {
    const disco = (await getJson('/disco/localhost')).disco as JsonObject;
    assert.ok((disco.features as string[]).includes('urn:xmpp:ping'));
    assert.deepEqual(disco.identities, [{ category: 'server', type: 'im', name: 'Prosody' }]);
    assert.equal((await getJson(`/disco/${ALICE}?node=urn%3Aexample%3An1`)).disco, 'urn:example:n1');
    assert.equal(lastAsked().attrs.node, 'urn:example:n1');
    const missing = await getJson('/disco/localhost?node=nothing-here');
    assert.equal(missing.type, 'error');
    assert.equal((missing.error as JsonObject).condition, 'item-not-found');
  });

  it('items: the server’s items; ?node= reaches the entity', async () => {
    const items = (await getJson('/items/localhost')).items as JsonObject[];
    assert.ok(items.some((item) => item.jid === 'conference.localhost'));
    assert.equal((await getJson(`/items/${encodeURIComponent(ALICE)}?node=n2`)).items, 'n2');
    assert.equal(lastAsked().attrs.node, 'n2');
  });

  it('lastactivity: the server’s uptime', async () => {
    const last = (await getJson('/lastactivity/localhost')).lastactivity as JsonObject;
    assert.equal(typeof last.seconds, 'number');
  });

  it('extdisco with ?type=', async () => {
    const reply = await getJson(`/extdisco/${ALICE}?type=stun`);
    assert.equal(lastAsked().attrs.type, 'stun');
    assert.deepEqual(reply.extdisco, {
      services: [{ type: 'stun', host: 'stun.example', port: 3478, transport: 'udp' }],
    });
  });

  it('upload_request with its parameters; the slot in the reply', async () => {
    const reply = await getJson(`/upload_request/${ALICE}?filename=cat.jpg&size=1024&content-type=image%2Fjpeg`);
    assert.deepEqual(lastAsked().attrs, {
      xmlns: 'urn:xmpp:http:upload:0',
      filename: 'cat.jpg',
      size: '1024',
      'content-type': 'image/jpeg',
    });
    assert.deepEqual(reply.upload_slot, {
      put: { url: 'https://up.example/put/1', headers: [{ name: 'Authorization', value: 'Basic x' }] },
      get: { url: 'https://up.example/get/1' },
    });
  });

  it('stats, oob, payload', async () => {
    assert.deepEqual((await getJson(`/stats/${ALICE}`)).stats, [{ name: 'users', unit: 'users', value: 2 }]);
    assert.equal((await getJson(`/oob/${ALICE}`)).oob !== undefined, true);
    assert.equal(lastAsked().getName(), 'query');
    assert.deepEqual((await getJson(`/payload/${ALICE}`)).payload, {});
  });

  it('an unknown query leaves the iq empty: 422', async () => {
    const before = sentCount(gateway);
    const response = await get('/nosuchpayload/localhost');
    assert.equal(response.status, 422);
    assert.equal((JSON.parse(response.body) as { error: JsonObject }).error.condition, 'bad-format');
    assert.equal(sentCount(gateway), before);
  });
});

describe('GET /rest/archive/{to}: a MUC room with history', () => {
  it('XML: <xmpp> holding every result message, then the final iq', async () => {
    const response = await get(`/archive/${ROOM}`, 'application/xmpp+xml');
    assert.equal(response.status, 200);
    assert.match(response.body, /^<xmpp><message /);
    // Prosody writes attributes in varying order.
    assert.match(response.body, /<fin [^>]*xmlns='urn:xmpp:mam:2'/);
    const bodies = [...response.body.matchAll(/<body>(\w+)<\/body>/g)].map((match) => match[1]);
    assert.deepEqual(bodies, ['first', 'second', 'third']);
    assert.match(response.body, /<iq [^>]*type='result'[^>]*><fin [^>]*>.*<\/fin><\/iq><\/xmpp>$/);
  });

  it('JSON: {"xmpp": […]} with mod_rest’s archive fields; results never reach the inbound path', async () => {
    const seen: Stanza[] = [];
    const stop = gateway.app.core.inbound.subscribe((stanza) => seen.push(stanza));
    const reply = await getJson(`/archive/${ROOM}?max=2`);
    stop();
    assert.equal(seen.length, 0);
    const [first, second, fin] = reply.xmpp!;
    assert.equal(reply.xmpp!.length, 3);
    const archive = first!.archive as { queryid: string; id: string; forward: { delay: string; message: JsonObject } };
    assert.equal(first!.kind, 'message');
    assert.equal(first!.from, ROOM);
    assert.equal(typeof archive.queryid, 'string');
    assert.equal(typeof archive.forward.delay, 'string');
    assert.deepEqual(
      { body: archive.forward.message.body, type: archive.forward.message.type, from: archive.forward.message.from },
      { body: 'first', type: 'groupchat', from: `${ROOM}/bob` },
    );
    assert.equal(((second!.archive as JsonObject).forward as { message: JsonObject }).message.body, 'second');
    assert.equal(fin!.kind, 'iq');
    assert.equal(((fin!.result as JsonObject).page as JsonObject).count, 3);
  });

  it('the MAM parameters reach the server: start, end, after-id, max', async () => {
    const all = await getJson(`/archive/${ROOM}`);
    const ids = all.xmpp!.slice(0, 3).map((message) => (message.archive as JsonObject).id as string);
    const after = await getJson(`/archive/${ROOM}?after-id=${ids[0]}&max=1`);
    assert.equal(after.xmpp!.length, 2);
    assert.equal((after.xmpp![0]!.archive as JsonObject).id, ids[1]);
    for (const range of ['start=2999-01-01T00:00:00Z', 'end=2000-01-01T00:00:00Z']) {
      const none = await getJson(`/archive/${ROOM}?${range}`);
      assert.equal(none.kind, 'iq', range);
      assert.equal(((none.result as JsonObject).page as JsonObject).count, 0);
    }
  });

  it('no results: the iq alone; a room that does not exist: its error', async () => {
    const empty = await getJson(`/archive/${ROOM}?max=0`);
    assert.equal(empty.kind, 'iq');
    assert.equal(empty.type, 'result');
    const missing = await getJson('/archive/nosuchroom@conference.localhost');
    assert.equal(missing.type, 'error');
    assert.equal((missing.error as JsonObject).condition, 'item-not-found');
  });

  it('more results than REST_MAX_ARCHIVE_RESULTS: 502, nothing held', async () => {
    const response = await get(`/archive/${BIG_ROOM}`);
    assert.equal(response.status, 502);
    assert.equal((JSON.parse(response.body) as { error: JsonObject }).error.condition, 'resource-constraint');
    assert.equal((await getJson(`/archive/${BIG_ROOM}?max=3`)).xmpp!.length, 4);
  });

  it('a POSTed archive query (JSON) is collected the same way', async () => {
    const response = await rest(gateway, {
      contentType: JSON_TYPE,
      body: JSON.stringify({ to: ROOM, archive: { max: 1 } }),
    });
    const reply = JSON.parse(response.body) as { xmpp: JsonObject[] };
    assert.equal(reply.xmpp.length, 2);
  });
});

describe('POST /rest/{kind}/{type}/{to}', () => {
  const postAt = (path: string, contentType: string | null, body?: string) =>
    rest(gateway, { path, contentType, body, headers: { Accept: JSON_TYPE } });

  it('a text body is a message body (the to percent-decoded)', async () => {
    assert.equal((await postAt(`/message/chat/${encodeURIComponent(ALICE)}`, 'text/plain', 'Hello Alice')).status, 202);
    const received = await alice.waitFor((s) => s.getChildText('body') === 'Hello Alice');
    assert.equal(received.attrs.type, 'chat');
  });

  it('a JSON body gives the rest of the stanza', async () => {
    assert.equal((await postAt(`/message/headline/${ALICE}`, JSON_TYPE, '{"body":"news","subject":"S"}')).status, 202);
    const received = await alice.waitFor((s) => s.getChildText('body') === 'news');
    assert.deepEqual([received.attrs.type, received.getChildText('subject')], ['headline', 'S']);
  });

  it('a text body is a presence show', async () => {
    assert.equal((await postAt(`/presence/available/${ALICE}`, 'text/plain', 'dnd')).status, 202);
    const received = await alice.waitFor((s) => s.name === 'presence' && s.getChildText('show') === 'dnd');
    assert.equal(received.attrs.type, undefined);
  });

  it('an iq get with a JSON payload; an iq named by its payload, with or without a body', async () => {
    const get = await postAt('/iq/get/localhost', JSON_TYPE, '{"version":{}}');
    assert.equal((JSON.parse(get.body) as JsonObject).type, 'result');
    const ping = await postAt('/iq/ping/localhost', null);
    assert.equal(ping.status, 200);
    const form = await postAt(`/iq/disco/${ALICE}`, 'application/x-www-form-urlencoded', 'node=from-form');
    assert.equal((JSON.parse(form.body) as JsonObject).disco, 'from-form');
  });

  it('an XML body ignores the path', async () => {
    const response = await postAt(
      '/message/chat/nobody@localhost',
      'application/xmpp+xml',
      `<message to='${ALICE}' type='normal'><body>xml wins</body></message>`,
    );
    assert.equal(response.status, 202);
    const received = await alice.waitFor((s) => s.getChildText('body') === 'xml wins');
    assert.equal(received.attrs.type, 'normal');
  });

  it('a body without Content-Type: 415', async () => {
    const response = await rest(gateway, { path: '/iq/ping/localhost', contentType: null, body: new Uint8Array([1]) });
    assert.equal(response.status, 415);
  });
});

describe('the index, and methods between the routes', () => {
  it('GET /rest lists the routes and links the OpenAPI document, without credentials', async () => {
    const response = await rest(gateway, { method: 'GET', token: null, contentType: null });
    assert.equal(response.status, 200);
    assert.equal((JSON.parse(response.body) as JsonObject).openapi, '/rest/openapi.json');
    const openapi = await rest(gateway, { method: 'GET', path: '/openapi.json', token: null, contentType: null });
    assert.equal((JSON.parse(openapi.body) as JsonObject).openapi, '3.0.3');
  });

  for (const [method, path, allow] of [
    ['POST', '/ping/localhost', 'GET, OPTIONS'],
    ['GET', '/echo', 'POST, OPTIONS'],
    ['PUT', '/message/chat/x', 'POST, GET, OPTIONS'],
    ['POST', '/openapi.json', 'GET, OPTIONS'],
  ] as const) {
    it(`${method} /rest${path}: 405, Allow ${allow}`, async () => {
      const response = await rest(gateway, { method, path, body: method === 'GET' ? undefined : '{}' });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), allow);
    });
  }

  it('a path no route knows: 404', async () => {
    assert.equal((await rest(gateway, { method: 'GET', path: '/ping' })).status, 404);
  });
});
