import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { BearerAuth } from '../../src/auth/bearer-auth.ts';
import { negotiate, parseMediaType } from '../../src/http/media-type.ts';
import { iqTimeoutMs } from '../../src/rest/timeout-header.ts';
import { backoffDelay } from '../../src/flow/backoff.ts';

function kindOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof GatewayError ? error.kind : 'other';
  }
}

describe('BearerAuth', () => {
  const auth = new BearerAuth(['first-token-0123456', 'second-token-012345']);
  it('accepts any configured token, with the scheme in any case', () => {
    assert.equal(
      kindOf(() => auth.check('Bearer first-token-0123456')),
      undefined,
    );
    assert.equal(
      kindOf(() => auth.check('bearer second-token-012345')),
      undefined,
    );
    assert.equal(
      kindOf(() => auth.check('BEARER   first-token-0123456  ')),
      undefined,
    );
  });
  it('tells missing credentials from refused ones', () => {
    assert.equal(
      kindOf(() => auth.check(undefined)),
      'no-credentials',
    );
    assert.equal(
      kindOf(() => auth.check('  ')),
      'no-credentials',
    );
    assert.equal(
      kindOf(() => auth.check('Bearer')),
      'bad-credentials',
    );
    assert.equal(
      kindOf(() => auth.check('Basic first-token-0123456')),
      'bad-credentials',
    );
    assert.equal(
      kindOf(() => auth.check('Bearer first-token-012345')),
      'bad-credentials',
    );
    assert.equal(
      kindOf(() => auth.check('Bearer first-token-01234567')),
      'bad-credentials',
    );
  });
});

describe('media types', () => {
  it('parses essence and parameters', () => {
    assert.deepEqual(parseMediaType('Application/XMPP+XML; Charset="UTF-8"'), {
      essence: 'application/xmpp+xml',
      params: { charset: 'UTF-8' },
    });
    assert.equal(parseMediaType('nonsense'), undefined);
    assert.equal(parseMediaType(undefined), undefined);
  });
  it('negotiates by q-value and specificity, defaulting to the first offer', () => {
    const offers = ['application/xmpp+xml', 'application/json'] as const;
    assert.equal(negotiate(undefined, offers), 'application/xmpp+xml');
    assert.equal(negotiate('*/*', offers), 'application/xmpp+xml');
    assert.equal(negotiate('application/json', offers), 'application/json');
    assert.equal(negotiate('text/html', offers), 'application/xmpp+xml');
    assert.equal(negotiate('application/*;q=0.2, application/json;q=0.9', offers), 'application/json');
    assert.equal(negotiate('application/json;q=0, */*', offers), 'application/xmpp+xml');
  });
});

describe('Prosody-Rest-Timeout', () => {
  it('reads seconds with fractions, ignores non-numbers, caps the wait', () => {
    assert.equal(iqTimeoutMs('2.5', 120_000, 300_000), 2500);
    assert.equal(iqTimeoutMs('.5', 120_000, 300_000), 500);
    assert.equal(iqTimeoutMs('600', 120_000, 300_000), 300_000);
    assert.equal(iqTimeoutMs('soon', 120_000, 300_000), 120_000);
    assert.equal(iqTimeoutMs('-1', 120_000, 300_000), 120_000);
    assert.equal(iqTimeoutMs('0', 120_000, 300_000), 120_000);
    assert.equal(iqTimeoutMs('1e3', 120_000, 300_000), 120_000);
    assert.equal(iqTimeoutMs(undefined, 120_000, 300_000), 120_000);
  });
});

describe('reconnect backoff', () => {
  const policy = { minMs: 500, maxMs: 30_000 };
  it('grows exponentially with equal jitter, capped', () => {
    assert.equal(
      backoffDelay(1, policy, () => 0),
      250,
    );
    assert.equal(
      backoffDelay(1, policy, () => 1),
      500,
    );
    assert.equal(
      backoffDelay(4, policy, () => 0),
      2000,
    );
    assert.equal(
      backoffDelay(4, policy, () => 1),
      4000,
    );
    assert.equal(
      backoffDelay(50, policy, () => 1),
      30_000,
    );
    assert.equal(
      backoffDelay(50, policy, () => 0),
      15_000,
    );
  });
  it('spreads reconnects of many gateways', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, policy)));
    assert.ok(delays.size > 10);
  });
});
