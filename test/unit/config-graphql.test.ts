import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const base = { XMPP_DOMAIN: 'rest.example.net', XMPP_SECRET: 's', API_TOKENS: 'a-token-of-sixteen-chars' };

describe('GraphQL settings', () => {
  it('defaults: 10 s answer timeout, 1000 buffered events, depth 16, cost 20000', () => {
    const config = loadConfig(base);
    assert.equal(config.iq.answerTimeoutMs, 10_000);
    assert.deepEqual(config.graphql, { subscriptionBufferMax: 1000, maxDepth: 16, maxCost: 20_000 });
  });

  it('reads each variable', () => {
    const config = loadConfig({
      ...base,
      IQ_ANSWER_TIMEOUT_MS: '2500',
      SUBSCRIPTION_BUFFER_MAX: '64',
      GRAPHQL_MAX_DEPTH: '8',
      GRAPHQL_MAX_COST: '500',
    });
    assert.equal(config.iq.answerTimeoutMs, 2500);
    assert.deepEqual(config.graphql, { subscriptionBufferMax: 64, maxDepth: 8, maxCost: 500 });
  });

  for (const [name, value] of [
    ['IQ_ANSWER_TIMEOUT_MS', '0'],
    ['IQ_ANSWER_TIMEOUT_MS', 'soon'],
    ['IQ_ANSWER_TIMEOUT_MS', '300001'],
    ['SUBSCRIPTION_BUFFER_MAX', '-1'],
    ['GRAPHQL_MAX_DEPTH', '1.5'],
    ['GRAPHQL_MAX_COST', '0'],
  ] as const) {
    it(`refuses ${name}=${value}, naming the setting`, () => {
      assert.throws(
        () => loadConfig({ ...base, [name]: value }),
        (error) => error instanceof ConfigError && error.setting === name,
      );
    });
  }
});
