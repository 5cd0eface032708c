import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, type ConfigProblem, loadConfig, settingNames } from '../../src/config.ts';
import { type Setting, settings } from '../../src/settings.ts';

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

  it('reports every problem of a configuration at once', () => {
    const error = configError({
      XMPP_SERVICE: 'http://127.0.0.1:5347',
      HTTP_PORT: 'eighty',
      XMPP_RECONNECT_MIN_MS: '5000',
      XMPP_RECONNECT_MAX_MS: '1000',
    });
    assert.deepEqual(
      error.problems.map((problem) => problem.setting),
      ['XMPP_SERVICE', 'XMPP_DOMAIN', 'XMPP_SECRET', 'HTTP_PORT', 'API_TOKENS', 'XMPP_RECONNECT_MAX_MS'],
    );
    assert.equal(error.message.split('\n').length, 6);
  });

  it('says what is wrong in a sentence, never in validator terms', () => {
    const junk = ['x', '-1', '1.5', 'NaN', 'Infinity', '1e400', '0x', ' , ', 'ftp://h', 'a'.repeat(300)];
    for (const name of settingNames) {
      for (const value of junk) {
        const problem = problemsOf({ ...minimal, [name]: value }).find((p) => p.setting === name);
        if (!problem) continue;
        const words = problem.message.replace(/ \(it is ".*"\)$/, '');
        assert.doesNotMatch(words, /expected|received|invalid input|NaN|undefined/i, `${name}=${value}`);
        assert.match(problem.message, /^(must|is|needs|takes|each|every) /, `${name}=${value}: ${problem.message}`);
      }
    }
    assert.equal(
      configError({ ...minimal, HTTP_PORT: 'eighty' }).message,
      'HTTP_PORT: must be a whole number from 0 to 65535 (it is "eighty")',
    );
    assert.equal(
      configError({ ...minimal, LOG_LEVEL: 'loud' }).problems[0]?.message.startsWith('must be one of fatal,'),
      true,
    );
  });

  it('never repeats a secret value in a message', () => {
    const values = {
      API_TOKENS: 'secretxyz',
      WEBHOOK_SECRET: 'whsec_notbase64!!secretxyz',
      DATABASE_URL: 'mysql://user:secretxyz@host/db',
      CALLBACK_URL: 'ftp://user:secretxyz@host/',
    };
    const error = configError({ ...minimal, ...values });
    assert.deepEqual(error.problems.map((p) => p.setting).sort(), [
      'API_TOKENS',
      'CALLBACK_URL',
      'DATABASE_URL',
      'WEBHOOK_SECRET',
    ]);
    assert.doesNotMatch(error.message, /secretxyz/);
  });

  it('refuses HA_ELECTION without a Postgres to elect in, and takes it with one', () => {
    assert.equal(
      configError({ ...minimal, HA_ELECTION: 'on' }).message,
      'HA_ELECTION: is on but DATABASE_URL is not set: the election runs in Postgres (the embedded database serves one process)',
    );
    const config = loadConfig({ ...minimal, HA_ELECTION: 'on', DATABASE_URL: 'postgresql://127.0.0.1/gw' });
    assert.deepEqual(config.ha, { election: 'on', leaseMs: 3000 });
    assert.deepEqual(loadConfig(minimal).ha, { election: 'off', leaseMs: 3000 });
    assert.match(configError({ ...minimal, HA_LEASE_MS: '500' }).message, /^HA_LEASE_MS: /);
  });

  it('points at a near-miss name when a required setting is missing', () => {
    const { XMPP_DOMAIN: _, ...rest } = minimal;
    const error = configError({ ...rest, XMPP_DOMIAN: 'rest.example.net' });
    assert.equal(error.message, 'XMPP_DOMAIN: is required but not set (XMPP_DOMIAN is set: a typo?)');
  });

  it('checks min ≤ max pairs once both are valid on their own', () => {
    for (const [min, max] of [
      ['XMPP_RECONNECT_MIN_MS', 'XMPP_RECONNECT_MAX_MS'],
      ['IQ_TIMEOUT_MS', 'IQ_MAX_TIMEOUT_MS'],
      ['WEBHOOK_RETRY_MIN_MS', 'WEBHOOK_RETRY_MAX_MS'],
    ] as const) {
      assert.equal(
        configError({ ...minimal, [min]: '3000', [max]: '2000' }).message,
        `${max}: must not be smaller than ${min} (3000)`,
      );
      assert.equal(loadConfig({ ...minimal, [min]: '2000', [max]: '2000' }) !== undefined, true);
      // An invalid max is reported as such, not also as smaller than min.
      assert.deepEqual(
        problemsOf({ ...minimal, [min]: '3000', [max]: 'soon' }).map((p) => p.setting),
        [max],
      );
    }
  });

  it('every row lands at its own path, and the parsed defaults are what the table says', () => {
    const paths = settingNames.map((name) => settings[name].path);
    assert.equal(new Set(paths).size, paths.length);
    const config = loadConfig(minimal) as unknown as Record<string, unknown>;
    for (const name of settingNames) {
      const setting: Setting = settings[name];
      const value = setting.path
        .split('.')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
      if ('default' in setting) assert.deepEqual(value, setting.schema.parse(setting.default), name);
      if ('optional' in setting && !(name in minimal)) assert.equal(value, undefined, name);
    }
  });

  it('npm start with bad settings prints one line per problem, points to --help and the demo, exits 2', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, XMPP_DOMAIN: 'rest.example.net', HTTP_PORT: '-1' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        'stanza-gateway: configuration error: XMPP_SECRET: is required but not set',
        'stanza-gateway: configuration error: HTTP_PORT: must be a whole number from 0 to 65535 (it is "-1")',
        'stanza-gateway: configuration error: API_TOKENS: is required but not set',
        'stanza-gateway: `npm start -- --help` lists every setting; `npm run demo` runs a gateway that needs none',
        '',
      ].join('\n'),
    );
  });
});

function problemsOf(env: Record<string, string>): readonly ConfigProblem[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}
