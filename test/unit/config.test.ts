import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const minimal = { XMPP_DOMAIN: 'rest.example.net', XMPP_SECRET: 's3cret', API_TOKENS: 'a-token-of-sixteen-chars' };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    assert.equal(config.xmpp.service, 'xmpp://127.0.0.1:5347');
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.http.port, 8080);
    assert.equal(config.iq.defaultTimeoutMs, 120_000);
    assert.equal(config.iq.maxTimeoutMs, 300_000);
    assert.equal(config.rest.maxBodyBytes, 192 * 1024);
    assert.equal(config.xmpp.sendDeadlineMs, 10_000);
    assert.equal(config.callbackUrl, undefined);
    assert.equal(config.databaseUrl, undefined);
    assert.deepEqual(config.http.corsOrigins, []);
  });

  it('normalises the domain and splits tokens', () => {
    const config = loadConfig({
      ...minimal,
      XMPP_DOMAIN: 'Rest.Example.NET',
      API_TOKENS: ' first-token-0123456 , second-token-012345 ,',
    });
    assert.equal(config.xmpp.domain, 'rest.example.net');
    assert.deepEqual(config.auth.tokens, ['first-token-0123456', 'second-token-012345']);
  });

  const bad: [string, Record<string, string>][] = [
    ['XMPP_DOMAIN', { XMPP_DOMAIN: '' }],
    ['XMPP_DOMAIN', { XMPP_DOMAIN: 'user@rest.example.net' }],
    ['XMPP_SECRET', { XMPP_SECRET: '' }],
    ['API_TOKENS', { API_TOKENS: ' , ' }],
    ['API_TOKENS', { API_TOKENS: 'short' }],
    ['XMPP_SERVICE', { XMPP_SERVICE: 'http://127.0.0.1:5347' }],
    ['HTTP_PORT', { HTTP_PORT: '70000' }],
    ['HTTP_PORT', { HTTP_PORT: 'eighty' }],
    ['IQ_TIMEOUT_MS', { IQ_TIMEOUT_MS: '0' }],
    ['IQ_MAX_TIMEOUT_MS', { IQ_TIMEOUT_MS: '200000', IQ_MAX_TIMEOUT_MS: '100000' }],
    ['CALLBACK_URL', { CALLBACK_URL: 'ftp://example.net/' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/x' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['XMPP_RECONNECT_MAX_MS', { XMPP_RECONNECT_MIN_MS: '5000', XMPP_RECONNECT_MAX_MS: '1000' }],
    ['XMPP_STANDBY_RETRY_MS', { XMPP_STANDBY_RETRY_MS: '0' }],
    ['XMPP_LINK_CHECK_TIMEOUT_MS', { XMPP_LINK_CHECK_TIMEOUT_MS: 'soon' }],
    ['XMPP_DOMAIN', { XMPP_DOMAIN: '\u{1f600}.example.net' }],
  ];
  for (const [setting, env] of bad) {
    it(`names ${setting} for ${JSON.stringify(env)}`, () => {
      const error = configError({ ...minimal, ...env });
      assert.equal(error.setting, setting);
      assert.match(error.message, new RegExp(`^${setting}: `));
    });
  }

  it('npm start with a bad setting prints one line naming it and exits 2', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, XMPP_DOMAIN: 'rest.example.net', API_TOKENS: 'a-token-of-sixteen-chars' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'stanza-gateway: configuration error: XMPP_SECRET: is required but not set\n');
  });
});
