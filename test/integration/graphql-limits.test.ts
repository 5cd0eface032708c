import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ExecutionResult } from 'graphql';
import { StanzasDocument, StatusDocument } from '../generated/graphql.ts';
import { startGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { type EventStream, graphqlData, subscribeSse, subscribeWs, wsClient } from '../support/graphql-client.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { waitUntilAsync } from '../support/wait.ts';

/**
 * GraphQL's bounds: request bodies (GRAPHQL_MAX_BODY_BYTES, 192 KiB as the docs say), the query
 * cost (GRAPHQL_MAX_COST) and open subscriptions per token and in total
 * (SUBSCRIPTIONS_PER_TOKEN_MAX, SUBSCRIPTIONS_MAX).
 */
let prosody: XmppServer;
let gateway: TestGateway;
const OTHER_TOKEN = 'other-token-0123456789abcdef';
const PER_TOKEN = 3;
const TOTAL = 5;
// Low enough that a handful of aliases crosses it; the other tests' operations stay under it.
const MAX_COST = 200;

before(async () => {
  prosody = await startXmppServer({});
  gateway = await startGateway(prosody, {
    API_TOKENS: `${TEST_TOKEN},${OTHER_TOKEN}`,
    SUBSCRIPTIONS_PER_TOKEN_MAX: String(PER_TOKEN),
    SUBSCRIPTIONS_MAX: String(TOTAL),
    GRAPHQL_MAX_COST: String(MAX_COST),
  });
});

after(async () => {
  await gateway?.stop();
  await prosody?.dispose();
});

describe('query cost', () => {
  const ask = async (aliases: number) => {
    const fields = Array.from({ length: aliases }, (_, i) => `s${i}: status { domain link { state since } }`);
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${gateway.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: `{ ${fields.join(' ')} }` }),
    });
    return (await response.json()) as ExecutionResult<Record<string, { domain: string }>>;
  };

  it('under GRAPHQL_MAX_COST it runs; over it, it is refused before anything runs', async () => {
    const cheap = await ask(2);
    assert.equal(cheap.errors, undefined, JSON.stringify(cheap.errors));
    assert.equal(cheap.data?.s1?.domain, prosody.componentDomain);
    const costly = await ask(25);
    assert.equal(costly.data, undefined);
    assert.match(costly.errors?.[0]?.message ?? '', new RegExp(`Query Cost limit of ${MAX_COST} exceeded`));
  });

  it('a deliveries page costs by its `first`: a large page is refused, a small one runs', async () => {
    const page = async (first: number) => {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${gateway.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: `{ deliveries(first: ${first}) { edges { cursor node { id } } } }` }),
      });
      return (await response.json()) as ExecutionResult;
    };
    // No CALLBACK_URL here: a page that passes the cost check runs and says the log is off.
    const small = await page(1);
    assert.equal(small.errors?.[0]?.extensions?.code, 'DELIVERY_LOG_OFF', JSON.stringify(small.errors));
    const large = await page(100);
    assert.equal(large.data, undefined);
    assert.match(large.errors?.[0]?.message ?? '', new RegExp(`Query Cost limit of ${MAX_COST} exceeded`));
  });
});

describe('request bodies', () => {
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${gateway.token}`, 'Content-Type': 'application/json', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);
  const LIMIT = 192 * 1024;
  const padded = (size: number) => {
    const start = '{"query":"{ status { domain } }","variables":{"pad":"';
    return `${start}${'x'.repeat(size - start.length - 3)}"}}`;
  };

  it('a body of 192 KiB is served', async () => {
    const response = await post(padded(LIMIT));
    assert.equal(response.status, 200);
    const body = (await response.json()) as ExecutionResult<{ status: { domain: string } }>;
    assert.equal(body.data?.status.domain, prosody.componentDomain);
  });

  it('one byte more is 413 PAYLOAD_TOO_LARGE, declared or streamed', async () => {
    for (const body of [
      padded(LIMIT + 1),
      // Chunked, no Content-Length: refused once the limit is passed.
      new ReadableStream({
        start(controller) {
          for (let i = 0; i < 5; i += 1) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
          controller.close();
        },
      }),
    ]) {
      const response = await post(body);
      assert.equal(response.status, 413);
      const result = (await response.json()) as ExecutionResult;
      assert.equal(result.errors?.[0]?.extensions?.code, 'PAYLOAD_TOO_LARGE');
      assert.equal(result.errors?.[0]?.message, 'Payload too large');
    }
  });

  it('without a token, a large body is refused 401 before it is read', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: padded(4 * 1024 * 1024),
    });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('connection'), 'close');
  });
});

type Stream = EventStream<unknown>;

/** The code of the error a refused subscription answers with, or undefined while it runs. */
async function refusal(stream: Stream): Promise<unknown> {
  const first = await stream.waitFor(() => true, 5000).catch(() => undefined);
  return first?.errors?.[0]?.extensions?.code;
}

async function openStanzas(count: number, token: string): Promise<{ streams: Stream[]; dispose(): Promise<void> }> {
  const client = wsClient(gateway, { authorization: `Bearer ${token}` });
  const streams: Stream[] = [];
  for (let i = 0; i < count; i += 1) streams.push(await subscribeWs(client, StanzasDocument, {}));
  return { streams, dispose: async () => void (await client.dispose()) };
}

async function live(): Promise<number> {
  return (await graphqlData(gateway, StatusDocument, {})).status.subscriptions;
}

async function slots(): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(/^stanza_gateway_graphql_subscription_slots (\d+)$/m.exec(text)?.[1]);
}

describe('subscription caps', () => {
  it('per token, then in total; each refusal is a coded error; ended subscriptions give their slot back', async () => {
    const first = await openStanzas(PER_TOKEN, TEST_TOKEN);
    await waitUntilAsync(async () => (await live()) === PER_TOKEN, 5000, 'the first token’s subscriptions', 50);

    // The same token again, on another socket and over SSE: refused.
    const again = await openStanzas(1, TEST_TOKEN);
    assert.equal(await refusal(again.streams[0]!), 'TOKEN_SUBSCRIPTION_LIMIT');
    const sse = await subscribeSse(gateway, StanzasDocument, {});
    assert.equal(await refusal(sse as Stream), 'TOKEN_SUBSCRIPTION_LIMIT');
    sse.close();

    // Another token has its own share, up to the total.
    const second = await openStanzas(TOTAL - PER_TOKEN, OTHER_TOKEN);
    await waitUntilAsync(async () => (await live()) === TOTAL, 5000, 'all subscriptions', 50);
    const past = await openStanzas(1, OTHER_TOKEN);
    assert.equal(await refusal(past.streams[0]!), 'SUBSCRIPTION_LIMIT');
    assert.equal(await slots(), TOTAL);

    // One ends (unsubscribed): its slot is free again.
    first.streams[0]!.close();
    await waitUntilAsync(async () => (await slots()) === TOTAL - 1, 5000, 'the slot back', 50);
    const retry = await openStanzas(1, OTHER_TOKEN);
    await waitUntilAsync(async () => (await live()) === TOTAL, 5000, 'the new subscription', 50);
    assert.equal(await refusal(retry.streams[0]!), undefined);

    // Disconnected clients give every slot back.
    await Promise.all([first, again, second, past, retry].map((client) => client.dispose()));
    await waitUntilAsync(async () => (await slots()) === 0, 5000, 'every slot back', 50);
    assert.equal(await live(), 0);
  });
});
