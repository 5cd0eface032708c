import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { settingNames } from '../../src/config.ts';
import { withSettings } from '../../scripts/readme-settings.ts';

// The README is the first thing a user reads: its configuration tables are the settings table.
it("README's configuration tables are written from src/settings.ts (npm run settings:readme)", () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.equal(readme, withSettings(readme), 'the README is stale: run `npm run settings:readme`');
  for (const name of settingNames) assert.ok(readme.includes(`| \`${name}\` |`), name);
});

it('the README names no setting that does not exist', () => {
  const readme = readFileSync('README.md', 'utf8');
  const known = new Set<string>(settingNames);
  const named = [...readme.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((match) => match[1]!);
  const unknown = named.filter((name) => !known.has(name) && !NOT_SETTINGS.has(name));
  assert.deepEqual([...new Set(unknown)], []);
});

// Upper-case names in the README that are not the gateway's settings.
const NOT_SETTINGS = new Set([
  'SKIP_FRESH_CLONE',
  'BENCH_BASELINE_DIR',
  'BENCH_GATEWAY_NODE_ARGS',
  'FUZZ_SEED',
  'FUZZ_ITERATIONS',
]);
