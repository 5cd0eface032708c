import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { settingNames } from '../../src/config.ts';

// The README is the first thing a user reads: every setting the gateway reads is in its table.
it('README documents every setting', () => {
  const readme = readFileSync('README.md', 'utf8');
  const missing = settingNames.filter((name) => !readme.includes(`\`${name}\``));
  assert.deepEqual(missing, []);
});
