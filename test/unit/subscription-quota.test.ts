import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGatewayError } from '../../src/errors/gateway-error.ts';
import { SubscriptionQuota } from '../../src/subscribers/subscription-quota.ts';

function refusal(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    assert.ok(isGatewayError(error));
    return error.kind;
  }
}

describe('SubscriptionQuota', () => {
  it('caps each token, then the total; releases give slots back, once', () => {
    const quota = new SubscriptionQuota({ total: 3, perToken: 2 });
    const a1 = quota.acquire('a');
    quota.acquire('a');
    assert.equal(
      refusal(() => quota.acquire('a')),
      'token-subscription-limit',
    );
    quota.acquire('b');
    assert.equal(
      refusal(() => quota.acquire('b')),
      'subscription-limit',
    );
    assert.equal(quota.open, 3);
    a1();
    a1();
    assert.equal(quota.open, 2);
    assert.equal(quota.openFor('a'), 1);
    quota.acquire('b');
    assert.equal(quota.openFor('b'), 2);
    assert.equal(
      refusal(() => quota.acquire('c')),
      'subscription-limit',
    );
  });

  it('refusals are coded: 429 per token, 503 in total', () => {
    const quota = new SubscriptionQuota({ total: 1, perToken: 1 });
    quota.acquire('a');
    try {
      quota.acquire('a');
    } catch (error) {
      assert.ok(isGatewayError(error));
      assert.equal(error.http, 429);
    }
    try {
      quota.acquire('b');
    } catch (error) {
      assert.ok(isGatewayError(error));
      assert.equal(error.http, 503);
      assert.equal(error.condition, 'resource-constraint');
    }
  });
});
