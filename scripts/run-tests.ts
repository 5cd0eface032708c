// `npm test`: the GraphQL contract checks, type-check, then every unit and integration test
// with node's test runner.
// Integration tests start their own Prosody; this makes sure one can be started.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureProsodyInstalled, ProsodyMissing } from '../src/demo/prosody-install.ts';

function step(name: string, command: string, args: string[]): void {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`npm test: ${name}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

try {
  ensureProsodyInstalled((line) => process.stdout.write(`${line}\n`));
} catch (error) {
  process.stderr.write(`npm test: ${error instanceof ProsodyMissing ? error.message : String(error)}\n`);
  process.exit(1);
}

// postinstall generates the Prisma client; a schema edited since then needs it again.
step('prisma client', process.execPath, ['scripts/prisma-generate.mjs', '--if-stale']);

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
  // The GraphQL schema and the typed test documents are committed contracts: stale ones fail.
  step('schema.graphql is current', process.execPath, ['--import', 'tsx', 'scripts/print-schema.ts', '--check']);
  step('codegen: test/generated is current', 'npx', ['graphql-codegen', '--config', 'codegen.ts', '--check']);
  step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
}
const testRunner = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=600000'];
step('tests', process.execPath, [...testRunner, '--test-concurrency=2', ...files]);

// Last and alone: a clean clone running the README's two commands (which include this whole
// suite once more, with this step skipped so it does not recurse). SKIP_FRESH_CLONE=1 skips it
// while iterating; CI runs it.
if (requested.length === 0 && !process.env.STANZA_GATEWAY_NESTED_TEST && !process.env.SKIP_FRESH_CLONE) {
  step('the README on a fresh clone', process.execPath, [...testRunner, 'test/fresh-clone/readme-commands.test.ts']);
}
