import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { settingNames } from '../../src/config.ts';
import { generatedParts, withPart } from '../../scripts/docs.ts';

// The README and docs/ are what users read: the parts derived from the code must match it.
for (const part of generatedParts) {
  it(`${part.file}: the ${part.name} part is current (npm run docs)`, () => {
    const text = readFileSync(part.file, 'utf8');
    assert.equal(text, withPart(text, part), `${part.file} is stale: run \`npm run docs\``);
  });
}

it('the README lists every setting and names no setting that does not exist', () => {
  const readme = readFileSync('README.md', 'utf8');
  for (const name of settingNames) assert.ok(readme.includes(`| \`${name}\` |`), name);
  // Names that look like a setting (a prefix the settings use, e.g. WEBHOOK_) but are none.
  const prefixes = new Set(settingNames.map((name) => name.split('_')[0]!));
  const known = new Set<string>([...settingNames, ...NOT_SETTINGS]);
  const named = [...readme.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((match) => match[1]!);
  const unknown = named.filter((name) => prefixes.has(name.split('_')[0]!) && !known.has(name));
  assert.deepEqual([...new Set(unknown)], []);
});

// Upper-case names in the README with a settings prefix that are not the gateway's settings.
// GraphQL error codes that share a prefix with settings.
const NOT_SETTINGS: string[] = ['SUBSCRIPTION_LIMIT'];

it('no document, comment or test points outside the repository', () => {
  // Tracked and new files alike; this file is the one that has to name them.
  const pattern = String.raw`\.\./shared|\b(CONTRACT|DESIGN|DEPENDENCIES)\.md`;
  const grep = spawnSync(
    'git',
    ['grep', '--untracked', '-n', '-I', '-E', pattern, '--', '.', ':!test/unit/docs.test.ts'],
    {
      encoding: 'utf8',
    },
  );
  assert.ok(grep.status === 0 || grep.status === 1, grep.stderr);
  assert.equal(grep.stdout, '');
});
