import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { decodeCursor, encodeCursor } from '../../src/db/cursor.ts';
import { newDeliveryId } from '../../src/db/delivery-id.ts';
import { callbackStatusError, isRetryableStatus } from '../../src/errors/callback-statuses.ts';
import { nextRetryDelay, parseRetryAfter } from '../../src/webhooks/retry-schedule.ts';
import { signatureHeaders } from '../../src/webhooks/signer.ts';

const policy = { maxAttempts: 4, windowMs: 10_000, minDelayMs: 1000, maxDelayMs: 4000 };

describe('retry schedule', () => {
  it('grows exponentially with equal jitter, capped', () => {
    assert.equal(
      nextRetryDelay(1, 0, undefined, policy, () => 0),
      500,
    );
    assert.equal(
      nextRetryDelay(1, 0, undefined, policy, () => 1),
      1000,
    );
    assert.equal(
      nextRetryDelay(3, 0, undefined, policy, () => 1),
      4000,
    );
  });
  it('stops at the attempt limit and at the window', () => {
    assert.equal(nextRetryDelay(4, 0, undefined, policy), undefined);
    assert.equal(
      nextRetryDelay(1, 9_500, undefined, policy, () => 1),
      undefined,
    );
  });
  it('waits at least Retry-After, and ends now when that is past the window', () => {
    assert.equal(
      nextRetryDelay(1, 0, 3000, policy, () => 0),
      3000,
    );
    assert.equal(nextRetryDelay(1, 0, 60_000, policy), undefined);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});

describe('status table', () => {
  it('maps the listed statuses and falls back to undefined-condition', () => {
    assert.deepEqual(callbackStatusError(503), {
      type: 'cancel',
      condition: 'service-unavailable',
      text: '503 Service Unavailable',
    });
    assert.deepEqual(callbackStatusError(418), {
      type: 'cancel',
      condition: 'undefined-condition',
      text: "418 I'm a Teapot",
    });
    assert.deepEqual([429, 500, 599, 404, 400].map(isRetryableStatus), [true, true, true, false, false]);
  });
});

describe('signatures', () => {
  it('match the reference implementation for each key', () => {
    const secrets = [
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'whsec_' + Buffer.from('another-key-0123456789').toString('base64'),
    ];
    const keys = secrets.map((s) => Buffer.from(s.slice(6), 'base64'));
    const at = new Date(1_700_000_000_000);
    const headers = signatureHeaders(keys, 'msg_1', '<message/>', at);
    assert.equal(headers['webhook-timestamp'], '1700000000');
    assert.deepEqual(
      headers['webhook-signature']!.split(' '),
      secrets.map((s) => new Webhook(s).sign('msg_1', at, '<message/>')),
    );
    assert.deepEqual(signatureHeaders([], 'msg_1', 'x'), {});
  });
});

describe('cursors and ids', () => {
  it('round-trip and refuse anything else', () => {
    const position = { createdAt: new Date(1_700_000_000_123), id: newDeliveryId() };
    assert.deepEqual(decodeCursor(encodeCursor(position)), position);
    assert.throws(() => decodeCursor('garbage'), { kind: 'bad-cursor' });
  });
  it('delivery ids made in one millisecond sort in the order they were made', () => {
    const ids = Array.from({ length: 5000 }, () => newDeliveryId(1_800_000_000_000));
    assert.deepEqual([...ids].sort(), ids);
    assert.match(ids[0]!, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('webhook configuration', () => {
  const base = { XMPP_DOMAIN: 'rest.localhost', XMPP_SECRET: 's', API_TOKENS: 'a-token-of-16-chars-or-more' };
  it('has documented defaults', () => {
    const config = loadConfig(base);
    assert.deepEqual(config.webhook.retry, { maxAttempts: 8, windowMs: 600_000, minDelayMs: 1000, maxDelayMs: 60_000 });
    assert.equal(config.webhook.timeoutMs, 10_000);
    assert.equal(config.webhook.secrets, undefined);
    assert.deepEqual(config.deliveryLog, { dataDir: './data', retentionDays: 30, bufferMax: 100_000 });
  });
  it('takes one or two secrets, space- or comma-separated', () => {
    const one = 'whsec_' + Buffer.from('0123456789abcdef').toString('base64');
    const two = 'whsec_' + Buffer.from('fedcba9876543210').toString('base64');
    assert.equal(loadConfig({ ...base, WEBHOOK_SECRET: `${one}, ${two}` }).webhook.secrets?.length, 2);
    assert.equal(loadConfig({ ...base, WEBHOOK_SECRET: one }).webhook.secrets?.[0]?.toString(), '0123456789abcdef');
  });
  for (const [name, value] of [
    ['WEBHOOK_SECRET', 'not-a-secret'],
    ['WEBHOOK_SECRET', 'whsec_c2hvcnQ='],
    [
      'WEBHOOK_SECRET',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ],
    ['WEBHOOK_TIMEOUT_MS', '0'],
    ['DELIVERY_RETENTION_DAYS', '-1'],
    ['WEBHOOK_RETRY_MAX_MS', '10'],
  ] as const) {
    it(`refuses ${name}=${value.slice(0, 20)}… naming the setting`, () => {
      assert.throws(
        () => loadConfig({ ...base, [name]: value }),
        (error: unknown) => error instanceof ConfigError && error.setting === name,
      );
    });
  }
});
