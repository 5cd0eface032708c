import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../src/cli.ts';
import { ConfigError, settingNames } from '../../src/config.ts';
import { helpText } from '../../src/config-help.ts';

const dir = mkdtempSync(join(tmpdir(), 'stanza-gateway-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function settingOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.setting;
  }
  assert.fail('expected a ConfigError');
}

describe('command line and config file', () => {
  it('--help lists every setting', () => {
    assert.deepEqual(parseCommandLine(['--help'], {}), { kind: 'help' });
    const text = helpText();
    for (const name of settingNames) assert.match(text, new RegExp(`^  ${name} `, 'm'), name);
  });

  it('--help keeps its columns aligned for the longest names, within 100 characters a line', () => {
    const lines = helpText().split('\n');
    const rows = lines.filter((line) => /^ {2}[A-Z-]/.test(line));
    const columns = new Set(rows.map((line) => /^ {2}\S+(?: FILE)? +/.exec(line)![0].length));
    assert.equal(columns.size, 1, [...columns].join(', '));
    const [column] = columns;
    // Continuation lines start in the same column.
    for (const line of lines.filter((l) => /^ {3,}\S/.test(l))) assert.equal(line.search(/\S/), column, line);
    for (const line of lines) assert.ok(line.length <= 100, line);
    assert.match(helpText(), /^ {2}WEBHOOK_RESPONSE_EXCERPT_BYTES {2}response body .* \[default: 4096\]$/m);
  });

  it('reports unknown keys of the file together with every other problem', () => {
    const path = file('typos.yaml', 'XMPP_DOMIAN: rest.example.net\nHTTP_PROT: 80\nXMPP_SECRET: s\nHTTP_PORT: x\n');
    try {
      parseCommandLine(['--verbose', '--config', path], {});
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(
        error.problems.map((problem) => problem.setting),
        ['--verbose', 'XMPP_DOMIAN', 'HTTP_PROT', 'XMPP_DOMAIN', 'HTTP_PORT', 'API_TOKENS'],
      );
      assert.match(error.message, /^XMPP_DOMIAN: is not a setting \(in .*typos\.yaml\); did you mean XMPP_DOMAIN\?$/m);
      assert.match(error.message, /^HTTP_PROT: .*did you mean HTTP_PORT\?$/m);
    }
  });

  it('reads JSON, with lists for comma-separated settings', () => {
    const path = file(
      'gateway.json',
      JSON.stringify({
        XMPP_DOMAIN: 'rest.example.net',
        XMPP_SECRET: 's',
        API_TOKENS: ['token-one-0123456789', 'token-two-0123456789'],
        HTTP_PORT: 9000,
      }),
    );
    const result = parseCommandLine(['--config', path], {});
    assert.equal(result.kind, 'run');
    if (result.kind !== 'run') return;
    assert.deepEqual(result.config.auth.tokens, ['token-one-0123456789', 'token-two-0123456789']);
    assert.equal(result.config.http.port, 9000);
  });

  it('reads YAML, and the environment overrides the file', () => {
    const path = file(
      'gateway.yaml',
      'XMPP_DOMAIN: rest.example.net\nXMPP_SECRET: from-file\nAPI_TOKENS: token-one-0123456789\nHTTP_PORT: 9000\n',
    );
    const result = parseCommandLine([`--config=${path}`], { HTTP_PORT: '9100', UNRELATED: 'x' });
    assert.equal(result.kind === 'run' && result.config.http.port, 9100);
    assert.equal(result.kind === 'run' && result.config.xmpp.secret, 'from-file');
  });

  it('a file that does not parse is reported by position, never by quoting it (it holds secrets)', () => {
    for (const [name, text] of [
      ['leak.json', '{"XMPP_SECRET": "hunter2-super-secret" "API_TOKENS": "x"}'],
      ['leak.yaml', 'XMPP_SECRET: hunter2-super-secret\nAPI_TOKENS: [unclosed\n'],
    ] as const) {
      try {
        parseCommandLine(['--config', file(name, text)], {});
        assert.fail('expected a ConfigError');
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        assert.doesNotMatch(error.message, /hunter2/);
        assert.match(error.message, /is not valid (JSON|YAML)/);
      }
    }
  });

  it('names what is wrong', () => {
    assert.equal(
      settingOf(() => parseCommandLine(['--config', join(dir, 'missing.json')], {})),
      '--config',
    );
    assert.equal(
      settingOf(() => parseCommandLine(['--config', file('bad.json', '{ nope')], {})),
      '--config',
    );
    assert.equal(
      settingOf(() => parseCommandLine(['--config', file('list.yaml', '- a\n- b\n')], {})),
      '--config',
    );
    assert.equal(
      settingOf(() => parseCommandLine(['--config', file('unknown.json', '{"XMPP_DOMIAN": "x"}')], {})),
      'XMPP_DOMIAN',
    );
    assert.equal(
      settingOf(() => parseCommandLine(['--config', file('nested.json', '{"HTTP_PORT": {"a": 1}}')], {})),
      'HTTP_PORT',
    );
    assert.equal(
      settingOf(() => parseCommandLine(['--config'], {})),
      '--config',
    );
    assert.equal(
      settingOf(() => parseCommandLine(['--verbose'], {})),
      '--verbose',
    );
    assert.equal(
      settingOf(() => parseCommandLine([], { XMPP_DOMAIN: 'rest.example.net', API_TOKENS: 'token-one-0123456789' })),
      'XMPP_SECRET',
    );
  });
});
