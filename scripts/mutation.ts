// `npm run test:mutation`: StrykerJS over the core (stryker.config.json says which files, and
// which unit tests kill their mutants). Nightly-sized, so it is not part of `npm test`.
// Arguments go to `stryker run`, e.g. `npm run test:mutation -- --mutate src/flow/backoff.ts`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { runOnSupportedNode } from '../src/demo/supported-node.ts';

await runOnSupportedNode('npm run test:mutation');

const stryker = join(
  dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')),
  'bin',
  'stryker.js',
);
// The tap runner starts each test file with the `node` it finds on PATH: make it this one.
const path = [dirname(process.execPath), process.env.PATH].filter(Boolean).join(delimiter);
const child = spawn(process.execPath, [stryker, 'run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, PATH: path },
});
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (status, signal) => process.exit(status ?? (signal ? 1 : 0)));
