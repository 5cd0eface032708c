#!/usr/bin/env node
// `npm test`: type-check, then every unit and integration test with node's test runner.
// Integration tests start their own Prosody; this only checks that one can be started.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clientIsStale, generateClient } from './prisma-generate.mjs';

function fail(message) {
  process.stderr.write(`npm test: ${message}\n`);
  process.exit(1);
}

function step(name, command, args, env = process.env) {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.error) fail(`${name}: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const probe = spawnSync('prosody', ['--help'], { stdio: 'ignore' });
if (probe.error) {
  fail(
    'Prosody is not installed; the integration tests start a private one.\n' +
      '  Install it with:  apt-get update && apt-get install -y prosody   (as root)',
  );
}

// postinstall generates the Prisma client; a schema edited since then needs it again.
if (clientIsStale()) {
  process.stdout.write('\n== prisma generate (prisma/schema.prisma changed)\n');
  generateClient();
}

const requested = process.argv.slice(2);
const files =
  requested.length > 0
    ? requested
    : ['test/unit', 'test/integration'].flatMap((dir) =>
        readdirSync(dir)
          .filter((name) => name.endsWith('.test.ts'))
          .sort()
          .map((name) => join(dir, name)),
      );

if (requested.length === 0) step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
step('tests', process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=2',
  '--test-timeout=180000',
  ...files,
]);
