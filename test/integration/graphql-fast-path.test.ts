import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';

/**
 * The JSON fast path (src/graphql/json-fast-path.ts) answers exactly as yoga does: the same
 * requests, sent to a gateway with it (the default) and to one with GRAPHQL_HTTP_FAST_PATH=off,
 * get the same status, headers and body. The cases cover what the fast path takes (queries,
 * mutations, typed errors, masked resolver errors, variables errors, operationName, the Accept
 * headers it answers) and what it must leave to yoga (parse, validation and limit errors, other
 * content types and Accept headers, batches, odd bodies, other methods and paths, CORS).
 */
const FAST = 'fast.localhost';
const YOGA = 'yoga.localhost';
const PLAIN = 'plain.localhost';
const SECRET = 'fast-path-secret';
const ORIGIN = 'https://app.example';
let prosody: XmppServer;
let fast: TestGateway;
let yoga: TestGateway;

before(async () => {
  prosody = await startXmppServer({ extraComponents: { [FAST]: SECRET, [YOGA]: SECRET, [PLAIN]: SECRET } });
  const env = { XMPP_SECRET: SECRET, GRAPHQL_MAX_COST: '200', GRAPHQL_MAX_DEPTH: '8', CORS_ORIGINS: ORIGIN };
  fast = await startGateway(prosody, { ...env, XMPP_DOMAIN: FAST });
  yoga = await startGateway(prosody, { ...env, XMPP_DOMAIN: YOGA, GRAPHQL_HTTP_FAST_PATH: 'off' });
  await Promise.all([fast.waitOnline(), yoga.waitOnline()]);
});

after(async () => {
  await fast?.stop();
  await yoga?.stop();
  await prosody?.dispose();
});

interface Case {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Set up before the request on each gateway (a mock), undone after. */
  around?: (gateway: TestGateway) => () => void;
  /** The fast path answers it (counted by its metric); otherwise yoga or the mount does. */
  taken?: boolean;
  /** The Authorization header, if not the test token's. */
  authorization?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

const op = (query: string, extra: Record<string, unknown> = {}) => JSON.stringify({ query, ...extra });
const json = { 'Content-Type': 'application/json' };
const SEND = 'mutation($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }';
const TWO_OPS = 'query A { status { link { state } } } query B { __typename }';
const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `s${i}: status { link { state } }`).join(' ')} }`;

const cases: Case[] = [
  { name: 'a query', taken: true, headers: json, body: op('{ status { link { state } } }') },
  { name: 'introspection', taken: true, headers: json, body: op('{ __schema { queryType { name } } }') },
  {
    name: 'a mutation (sendMessage)',
    taken: true,
    headers: json,
    body: op(SEND, { variables: { input: { to: 'alice@localhost', body: 'hi' } } }),
  },
  {
    name: 'a typed gateway error (InvalidInput)',
    taken: true,
    headers: json,
    body: op(
      'mutation { sendMessage(input: { to: "not a jid@@" }) { __typename ... on InvalidInput { message field } } }',
    ),
  },
  {
    name: 'a masked resolver error',
    taken: true,
    headers: json,
    body: op('{ status { domain } }'),
    around: (gateway) => {
      const original = gateway.app.core.status.bind(gateway.app.core);
      gateway.app.core.status = () => {
        throw new TypeError('internal detail');
      };
      return () => (gateway.app.core.status = original);
    },
  },
  { name: 'a parse error', headers: json, body: op('{ status { ') },
  { name: 'an unknown field', taken: true, headers: json, body: op('{ nope }') },
  {
    name: 'a validation error (wrong argument type)',
    taken: true,
    headers: json,
    body: op('mutation { sendStanza(xml: 42) { __typename } }'),
  },
  { name: 'over the cost limit', taken: true, headers: json, body: op(aliases(60)) },
  {
    name: 'over the depth limit',
    taken: true,
    headers: json,
    body: op(
      'mutation { sendMessage(input: { to: "a@localhost" }) { ... on SendMessageSuccess { sent { payloads { children { children { children { children { children { name } } } } } } } } } }',
    ),
  },
  { name: 'a required variable missing', taken: true, headers: json, body: op(SEND) },
  {
    name: 'a variable of the wrong type',
    taken: true,
    headers: json,
    body: op(SEND, { variables: { input: { to: 42 } } }),
  },
  { name: 'variables that are an array', headers: json, body: op(SEND, { variables: [1] }) },
  { name: 'variables that are a string', headers: json, body: op(SEND, { variables: '{}' }) },
  { name: 'variables null', taken: true, headers: json, body: op('{ __typename }', { variables: null }) },
  { name: 'operationName chooses B', taken: true, headers: json, body: op(TWO_OPS, { operationName: 'B' }) },
  { name: 'operationName chooses A', taken: true, headers: json, body: op(TWO_OPS, { operationName: 'A' }) },
  { name: 'two operations, no operationName', headers: json, body: op(TWO_OPS) },
  { name: 'an operationName that is not there', headers: json, body: op(TWO_OPS, { operationName: 'C' }) },
  { name: 'an operationName that is a number', headers: json, body: op(TWO_OPS, { operationName: 1 }) },
  {
    name: 'a subscription over POST, JSON accepted',
    headers: { ...json, Accept: 'application/json' },
    body: op('subscription { stanzas { id } }'),
  },
  { name: 'extensions', headers: json, body: op('{ __typename }', { extensions: { a: 1 } }) },
  { name: 'an unknown parameter', headers: json, body: op('{ __typename }', { nope: 1 }) },
  { name: 'query not a string', headers: json, body: JSON.stringify({ query: 42 }) },
  { name: 'no query', headers: json, body: JSON.stringify({ variables: {} }) },
  { name: 'a batch', headers: json, body: JSON.stringify([{ query: '{ __typename }' }]) },
  { name: 'JSON null', headers: json, body: 'null' },
  { name: 'a JSON string', headers: json, body: '"{ __typename }"' },
  { name: 'invalid JSON', headers: json, body: '{"query": ' },
  { name: 'an empty body', headers: json, body: '' },
  { name: 'a BOM before the JSON', headers: json, body: `\uFEFF${op('{ __typename }')}` },
  // Accept headers.
  ...[
    '*/*',
    'application/json',
    'application/graphql-response+json',
    'application/graphql-response+json, application/json;q=0.9',
    'application/json, application/graphql-response+json',
    'application/*',
    'application/json; charset=utf-8',
    'application/json; charset=iso-8859-1',
    'text/event-stream',
    'multipart/mixed',
    'text/html',
    'text/html, */*',
    'image/png',
    '',
  ].flatMap((accept): Case[] => {
    // The Accept headers yoga answers with its regular (JSON) result processor.
    const taken = ![
      'application/json; charset=iso-8859-1',
      'text/event-stream',
      'multipart/mixed',
      'text/html',
      'image/png',
    ].includes(accept);
    return [
      { name: `Accept: ${accept}, a query`, headers: { ...json, Accept: accept }, body: op('{ __typename }'), taken },
      { name: `Accept: ${accept}, a parse error`, headers: { ...json, Accept: accept }, body: op('{') },
      {
        name: `Accept: ${accept}, an unknown field`,
        headers: { ...json, Accept: accept },
        body: op('{ nope }'),
        taken,
      },
      { name: `Accept: ${accept}, a missing variable`, headers: { ...json, Accept: accept }, body: op(SEND), taken },
    ];
  }),
  // Content types.
  ...[
    'application/json; charset=utf-8',
    'application/json;charset=utf-8',
    'application/json; charset=iso-8859-1',
    'Application/JSON',
    'application/graphql+json',
    'application/json, text/plain',
    'text/plain',
    'application/graphql',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ].map((type): Case => ({
    name: `Content-Type: ${type}`,
    headers: { 'Content-Type': type },
    body: op('{ __typename }'),
    taken: type === 'application/json; charset=utf-8' || type === 'application/json;charset=utf-8',
  })),
  { name: 'no Content-Type', headers: {}, body: op('{ __typename }') },
  // Methods, paths, CORS.
  { name: 'PUT', method: 'PUT', headers: json, body: op('{ __typename }') },
  { name: 'DELETE', method: 'DELETE', headers: json },
  { name: 'GET with a query', method: 'GET', path: '/graphql?query=%7B__typename%7D', headers: {} },
  {
    name: 'GET with a mutation',
    method: 'GET',
    path: '/graphql?query=mutation%7Bping(to%3A%22localhost%22)%7B__typename%7D%7D',
    headers: {},
  },
  { name: 'a trailing slash', path: '/graphql/', headers: json, body: op('{ __typename }') },
  { name: 'a query string on a POST', path: '/graphql?x=1', headers: json, body: op('{ __typename }') },
  { name: 'an allowed Origin', headers: { ...json, Origin: ORIGIN }, body: op('{ __typename }') },
  { name: 'another Origin', headers: { ...json, Origin: 'https://elsewhere.example' }, body: op('{ __typename }') },
  // Refused by the mount before either path.
  { name: 'no token', authorization: '', headers: json, body: op('{ __typename }') },
  { name: 'a wrong token', authorization: 'Bearer nope', headers: json, body: op('{ __typename }') },
  { name: 'a body over GRAPHQL_MAX_BODY_BYTES', headers: json, body: op(`{ __typename } #${'x'.repeat(200_000)}`) },
];

/** Headers that differ between any two answers (the date) or that name the connection. */
const VOLATILE = new Set(['date', 'connection', 'keep-alive']);

function send(gateway: TestGateway, item: Case): Promise<Answer> {
  const { hostname, port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        method: item.method ?? 'POST',
        path: item.path ?? '/graphql',
        headers: {
          ...(item.authorization === '' ? {} : { Authorization: item.authorization ?? `Bearer ${TEST_TOKEN}` }),
          ...item.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          // The two gateways' own domains are the one expected difference.
          const domain = gateway.config.xmpp.domain;
          const headers = Object.fromEntries(
            Object.entries(res.headers)
              .filter(([name]) => !VOLATILE.has(name))
              .map(([name, value]) => [name, typeof value === 'string' ? value.replaceAll(domain, '<domain>') : value]),
          );
          const normalised = text.replaceAll(domain, '<domain>');
          let body: unknown = normalised;
          try {
            body = JSON.parse(normalised);
          } catch {
            // Not JSON (an empty body, a 406): compared as text.
          }
          if (typeof headers['content-length'] === 'string')
            headers['content-length'] = String(Buffer.byteLength(normalised));
          resolve({ status: res.statusCode ?? 0, headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(item.body);
  });
}

async function ask(gateway: TestGateway, item: Case): Promise<Answer> {
  const undo = item.around?.(gateway);
  try {
    return await send(gateway, item);
  } finally {
    undo?.();
  }
}

/** How many requests the fast path has answered (its metric). */
async function takenSoFar(gateway: TestGateway): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const match = /^stanza_gateway_graphql_http_fast_path_total (\d+)$/m.exec(text);
  assert.ok(match, 'the fast path is on (its metric is there)');
  return Number(match[1]);
}

describe('the JSON fast path answers as yoga does', () => {
  for (const item of cases)
    it(item.name, async () => {
      const expected = await ask(yoga, item);
      const before = await takenSoFar(fast);
      // Twice: the second answer comes from the parse and validation caches.
      for (let round = 0; round < 2; round += 1) assert.deepEqual(await ask(fast, item), expected);
      assert.equal((await takenSoFar(fast)) - before, item.taken ? 2 : 0, item.taken ? 'taken' : 'left to yoga');
    });

  it('is on without CORS_ORIGINS too (yoga then has no CORS hooks)', async () => {
    const plain = await startGateway(prosody, { XMPP_SECRET: SECRET, XMPP_DOMAIN: PLAIN });
    try {
      await plain.waitOnline();
      const item: Case = { name: 'a query', headers: json, body: op('{ status { link { state } } }') };
      const before = await takenSoFar(plain);
      assert.deepEqual(await ask(plain, item), await ask(yoga, item));
      assert.equal((await takenSoFar(plain)) - before, 1);
    } finally {
      await plain.stop();
    }
  });

  it('is off with GRAPHQL_HTTP_FAST_PATH=off', async () => {
    const text = await (await fetch(`${yoga.url}/metrics`)).text();
    assert.doesNotMatch(text, /graphql_http_fast_path_total/);
  });
});
