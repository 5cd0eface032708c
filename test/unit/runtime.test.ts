import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { atLeast, MINIMUM_NODE } from '../../src/runtime.ts';

it("package.json's engines and the start-up check name the same Node", () => {
  const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
  assert.equal(`${engines.node.replace(/^>=/, '')}.0`, MINIMUM_NODE);
});

it('compares versions part by part', () => {
  assert.equal(atLeast('22.15.0', '22.15.0'), true);
  assert.equal(atLeast('22.9.9', '22.15.0'), false);
  assert.equal(atLeast('24.0.0', '22.15.0'), true);
  assert.equal(atLeast('20.20.2', '22.15.0'), false);
  assert.equal(atLeast('22.15.1', '22.15.0'), true);
});
