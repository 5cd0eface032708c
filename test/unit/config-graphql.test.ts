import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const base = { XMPP_DOMAIN: 'rest.example.net', XMPP_SECRET: 's', API_TOKENS: 'a-token-of-sixteen-chars' };

describe('GraphQL settings', () => {
  it('defaults: 10 s answer timeout, 1000 buffered events, depth 16, cost 20000, 192 KiB, 20000/10000 subscriptions', () => {
    const config = loadConfig(base);
    assert.equal(config.iq.answerTimeoutMs, 10_000);
    assert.deepEqual(config.graphql, {
      subscriptionBufferMax: 1000,
      maxDepth: 16,
      maxCost: 20_000,
      maxBodyBytes: 192 * 1024,
      subscriptionsMax: 20_000,
      subscriptionsPerTokenMax: 10_000,
      httpFastPath: 'on',
    });
  });

  it('reads each variable', () => {
    const config = loadConfig({
      ...base,
      IQ_ANSWER_TIMEOUT_MS: '2500',
      SUBSCRIPTION_BUFFER_MAX: '64',
      GRAPHQL_MAX_DEPTH: '8',
      GRAPHQL_MAX_COST: '500',
      GRAPHQL_MAX_BODY_BYTES: '1024',
      SUBSCRIPTIONS_MAX: '7',
      SUBSCRIPTIONS_PER_TOKEN_MAX: '3',
      GRAPHQL_HTTP_FAST_PATH: 'off',
    });
    assert.equal(config.iq.answerTimeoutMs, 2500);
    assert.deepEqual(config.graphql, {
      subscriptionBufferMax: 64,
      maxDepth: 8,
      maxCost: 500,
      maxBodyBytes: 1024,
      subscriptionsMax: 7,
      subscriptionsPerTokenMax: 3,
      httpFastPath: 'off',
    });
  });

  for (const [name, value] of [
    ['IQ_ANSWER_TIMEOUT_MS', '0'],
    ['IQ_ANSWER_TIMEOUT_MS', 'soon'],
    ['IQ_ANSWER_TIMEOUT_MS', '300001'],
    ['SUBSCRIPTION_BUFFER_MAX', '-1'],
    ['GRAPHQL_MAX_DEPTH', '1.5'],
    ['GRAPHQL_MAX_COST', '0'],
    ['GRAPHQL_MAX_BODY_BYTES', '0'],
    ['SUBSCRIPTIONS_MAX', 'many'],
    ['SUBSCRIPTIONS_PER_TOKEN_MAX', '-3'],
    ['GRAPHQL_HTTP_FAST_PATH', 'yes'],
  ] as const) {
    it(`refuses ${name}=${value}, naming the setting`, () => {
      assert.throws(
        () => loadConfig({ ...base, [name]: value }),
        (error) => error instanceof ConfigError && error.setting === name,
      );
    });
  }
});

describe('HTTP settings', () => {
  it('defaults: 10000 connections, 16 for probes, 10 s for headers, 60 s for a request', () => {
    const { http } = loadConfig(base);
    assert.deepEqual(
      [http.maxConnections, http.probeReserve, http.headersTimeoutMs, http.requestTimeoutMs],
      [10_000, 16, 10_000, 60_000],
    );
  });

  it('a request timeout shorter than the headers timeout is refused', () => {
    assert.throws(
      () => loadConfig({ ...base, HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' }),
      (error) => error instanceof ConfigError && error.setting === 'HTTP_REQUEST_TIMEOUT_MS',
    );
  });

  for (const [name, value] of [
    ['HTTP_MAX_CONNECTIONS', '0'],
    ['HTTP_PROBE_RESERVE', '-1'],
    ['HTTP_HEADERS_TIMEOUT_MS', 'never'],
  ] as const) {
    it(`refuses ${name}=${value}, naming the setting`, () => {
      assert.throws(
        () => loadConfig({ ...base, [name]: value }),
        (error) => error instanceof ConfigError && error.setting === name,
      );
    });
  }
});
