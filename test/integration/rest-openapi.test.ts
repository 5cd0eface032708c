import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiDocument } from '../../src/rest/openapi/serve.ts';
import { routes } from '../../src/rest/routes.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
// Prosody only: the MUC archive and the extra modules these routes query are set up for Prosody.
import { startProsody, type Prosody } from '../../src/demo/local-prosody.ts';
import { rest, type RestRequest, type RestResponse } from '../support/rest-client.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * GET /rest/openapi.json, held against the running gateway: every documented route answers
 * every documented status (with a documented content type), and every route is documented.
 * A status added to the document without a case here, or a route without a document entry,
 * fails this file.
 */
interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Partial<Record<'get' | 'post', Operation>>>;
  components: { responses: Record<string, { content?: Record<string, unknown> }> };
}

let prosody: Prosody;
let gateway: TestGateway;
let alice: XmppUser;
let bob: XmppUser;
// The cases are made from the document before anything starts; the served one must equal it.
const document = JSON.parse(JSON.stringify(openApiDocument)) as Document;
const ROOM = 'room@conference.localhost';
const SILENT = 'alice@localhost/silent';
const MAX_BODY = 4096;
/** Payloads alice's silent resource never answers (for 504s). */
const silentPayloads: [string, string][] = [
  ['urn:xmpp:ping', 'ping'],
  ['jabber:iq:version', 'query'],
  ['http://jabber.org/protocol/disco#info', 'query'],
  ['http://jabber.org/protocol/disco#items', 'query'],
  ['jabber:iq:last', 'query'],
  ['urn:xmpp:extdisco:2', 'services'],
  ['urn:xmpp:mam:2', 'query'],
  ['urn:xmpp:http:upload:0', 'request'],
  ['http://jabber.org/protocol/stats', 'query'],
  ['jabber:iq:oob', 'query'],
  ['urn:xmpp:json-msg:0', 'payload'],
  ['urn:example:silent', 'query'],
];

before(async () => {
  prosody = await startProsody({ users: { alice: 'alice-pw', bob: 'bob-pw' }, muc: true });
  gateway = await startGateway(prosody, {
    IQ_TIMEOUT_MS: '5000',
    REST_MAX_BODY_BYTES: String(MAX_BODY),
    REST_MAX_ARCHIVE_RESULTS: '2',
    XMPP_SEND_DEADLINE_MS: '300',
  });
  [alice, bob] = await Promise.all([
    connectUser(prosody, 'alice', 'alice-pw', 'silent'),
    connectUser(prosody, 'bob', 'bob-pw', 'laptop'),
  ]);
  for (const [ns, name] of silentPayloads)
    for (const type of ['get', 'set'] as const)
      alice.client.iqCallee[type](ns, name, () => new Promise<never>(() => {}));
  await bob.client.send(xml('presence', { to: `${ROOM}/bob` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
  for (const body of ['one', 'two', 'three'])
    await bob.client.send(xml('message', { to: ROOM, type: 'groupchat' }, xml('body', {}, body)));
  await bob.waitFor((s) => s.getChildText('body') === 'three');
});

after(async () => {
  await Promise.all([alice?.stop(), bob?.stop()]);
  await gateway?.stop();
  await prosody?.dispose();
});

const JSON_TYPE = 'application/json';
const silentIq = (id = `s-${Date.now()}`) =>
  JSON.stringify({ kind: 'iq', id, xml: "<query xmlns='urn:example:silent'/>" });
const shortTimeout = { 'Prosody-Rest-Timeout': '0.3' };

/** The request that makes `status` happen on a route (path with its parameters filled in). */
function caseFor(template: string, method: 'get' | 'post', status: number): RestRequest | 'conflict' {
  const shortcut = /^\/rest\/(\w+)\/\{to\}$/.exec(template)?.[1];
  if (method === 'get') {
    const to = (target: string) => `/${shortcut}/${encodeURIComponent(target)}`;
    const base = { method: 'GET', contentType: null } as const;
    if (template === '/rest') return { ...base, token: null };
    if (template === '/rest/openapi.json') return { ...base, path: '/openapi.json', token: null };
    switch (status) {
      case 200:
        return { ...base, path: shortcut === 'archive' ? `${to(ROOM)}?max=1` : to('localhost') };
      case 400:
        return { ...base, path: `${to('localhost')}?hello` };
      case 401:
        return { ...base, path: to('localhost'), token: null };
      case 403:
        return { ...base, path: to('localhost'), token: 'not-the-token-at-all' };
      case 422:
        return { ...base, path: to('a@b@c') };
      case 502:
        return { ...base, path: to(ROOM) };
      case 503:
        return { ...base, path: to('localhost') };
      case 504:
        return { ...base, path: to(SILENT), headers: shortTimeout };
    }
  }
  const pathRoute = template === '/rest/{kind}/{type}/{to}';
  const path = (kind: string, type: string, to: string) => (pathRoute ? `/${kind}/${type}/${to}` : template.slice(5));
  const json = (body: string, kind = 'message', type = 'chat', to = 'alice@localhost'): RestRequest => ({
    path: path(kind, type, to),
    contentType: JSON_TYPE,
    body: pathRoute ? body : JSON.stringify({ ...(JSON.parse(body) as object), kind, type, to }),
  });
  switch (status) {
    case 200:
      return json('{"ping":true}', 'iq', 'get', 'localhost');
    case 202:
      return json('{"body":"hello"}');
    case 400:
      return { ...json('{}'), body: '{"body":' };
    case 401:
      return { ...json('{"body":"x"}'), token: null };
    case 403:
      return { ...json('{"body":"x"}'), token: 'not-the-token-at-all' };
    case 409:
      return 'conflict';
    case 413:
      return json(JSON.stringify({ body: 'x'.repeat(MAX_BODY) }));
    case 415:
      return { ...json('{}'), contentType: 'application/xml', body: '<message/>' };
    case 422:
      return json('{"body":"x"}', 'message', 'chat', 'a@b@c');
    case 502:
      return json('{"archive":{}}', 'iq', 'set', ROOM);
    case 503:
      return json('{"body":"while down"}');
    case 504:
      return { ...json(silentIq(), 'iq', 'get', SILENT), headers: shortTimeout };
  }
  throw new Error(`no case for ${method.toUpperCase()} ${template} ${status}: add one`);
}

async function run(template: string, method: 'get' | 'post', status: number): Promise<RestResponse> {
  const request = caseFor(template, method, status);
  if (request !== 'conflict') return rest(gateway, request);
  // Two iqs with one id to one address at once: the second is refused.
  const pathRoute = template === '/rest/{kind}/{type}/{to}';
  const iq = {
    path: pathRoute ? `/iq/get/${SILENT}` : template.slice('/rest'.length),
    contentType: JSON_TYPE,
    body: pathRoute
      ? silentIq('same-id')
      : JSON.stringify({ ...(JSON.parse(silentIq('same-id')) as object), to: SILENT }),
    headers: shortTimeout,
  };
  const first = rest(gateway, iq);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const second = await rest(gateway, iq);
  await first;
  return second;
}

function documented(): [string, 'get' | 'post', number][] {
  return Object.entries(document.paths).flatMap(([template, item]) =>
    (['get', 'post'] as const).flatMap((method) =>
      Object.keys(item[method]?.responses ?? {}).map(
        (status) => [template, method, Number(status)] as [string, 'get' | 'post', number],
      ),
    ),
  );
}

function contentTypes(template: string, method: 'get' | 'post', status: number): string[] {
  let response = document.paths[template]![method]!.responses[String(status)]!;
  if (response.$ref) response = document.components.responses[response.$ref.split('/').at(-1)!]!;
  return Object.keys(response.content ?? {});
}

describe('the OpenAPI document', () => {
  it('is what GET /rest/openapi.json serves', async () => {
    const response = await rest(gateway, { method: 'GET', path: '/openapi.json', token: null, contentType: null });
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), document);
  });

  it('is OpenAPI 3 and documents every route of the router', () => {
    assert.match((document as unknown as { openapi: string }).openapi, /^3\./);
    for (const route of routes) {
      const method = route.method.toLowerCase() as 'get' | 'post';
      const example = Object.keys(document.paths).find(
        (template) => document.paths[template]![method] && route.pattern.test(template.replace(/\{(\w+)\}/g, 'x')),
      );
      assert.ok(example, `${route.method} ${String(route.pattern)} is not documented`);
    }
  });

  it('every documented path is a route', () => {
    for (const [template, method] of documented()) {
      const path = template.replace(/\{(\w+)\}/g, 'x');
      assert.ok(
        routes.some((route) => route.method.toLowerCase() === method && route.pattern.test(path)),
        `${method} ${template}`,
      );
    }
  });

  it('every documented status has a case (checked below against the server)', () => {
    for (const [template, method, status] of documented()) assert.doesNotThrow(() => caseFor(template, method, status));
  });
});

describe('each documented route answers each documented status', () => {
  // The 503s need the XMPP server gone: they run last.
  const cases = documented().sort((a, b) => Number(a[2] === 503) - Number(b[2] === 503));
  for (const [template, method, status] of cases) {
    it(`${method.toUpperCase()} ${template} → ${status}`, async () => {
      if (status === 503) await prosody.stop(); // once: stop() is a no-op afterwards
      const response = await run(template, method, status);
      assert.equal(response.status, status, response.body);
      const types = contentTypes(template, method, status);
      if (types.length === 0) assert.equal(response.body, '');
      else
        assert.ok(
          types.includes(response.headers.get('content-type') ?? ''),
          `${response.headers.get('content-type')}`,
        );
    });
  }
});
