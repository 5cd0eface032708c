#!/usr/bin/env node
// `npm test`: contract checks (schema.graphql, generated documents), type-check, then every
// unit and integration test with node's test runner.
// Integration tests start their own Prosody; this only checks that one can be started.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

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

if (requested.length === 0) {
  // The schema and the typed test documents are committed contracts: stale ones fail the suite.
  step('schema.graphql is current', 'npx', ['tsx', 'scripts/print-schema.ts', '--check']);
  step('codegen: test/generated is current', 'npx', ['graphql-codegen', '--config', 'codegen.ts', '--check']);
  step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
}
step('tests', process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=2',
  '--test-timeout=180000',
  ...files,
]);
