// `npm test`: the GraphQL contract checks, type-check, then every unit and integration test
// with node's test runner.
// Integration tests start their own Prosody (or ejabberd with XMPP_TEST_SERVER=ejabberd); this
// makes sure one can be started.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isServerKind } from '../src/demo/local-server.ts';
import { ensureServerInstalled, ServerMissing } from '../src/demo/server-install.ts';
import { runOnSupportedNode } from '../src/demo/supported-node.ts';

function step(name: string, command: string, args: string[]): void {
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`npm test: ${name}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}

await runOnSupportedNode('npm test');
process.stdout.write(`npm test on Node ${process.versions.node}\n`);

try {
  const server = process.env.XMPP_TEST_SERVER?.trim() || 'prosody';
  if (!isServerKind(server)) throw new Error(`XMPP_TEST_SERVER=${server}: expected prosody or ejabberd`);
  ensureServerInstalled(server, (line) => process.stdout.write(`${line}\n`));
} catch (error) {
  process.stderr.write(`npm test: ${error instanceof ServerMissing ? error.message : String(error)}\n`);
  process.exit(1);
}

// postinstall generates the Prisma client; a schema edited since then needs it again.
step('prisma client', process.execPath, ['scripts/prisma-generate.mjs', '--if-stale']);

const requested = process.argv.slice(2);
const files =
  requested.length > 0
    ? requested
    : ['test/unit', 'test/flow', 'test/integration'].flatMap((dir) =>
        readdirSync(dir)
          .filter((name) => name.endsWith('.test.ts'))
          .sort()
          .map((name) => join(dir, name)),
      );

if (requested.length === 0) {
  // The GraphQL schema and the typed test documents are committed contracts: stale ones fail.
  step('schema.graphql is current', process.execPath, ['--import', 'tsx', 'scripts/print-schema.ts', '--check']);
  step('codegen: test/generated and console/generated are current', 'npx', [
    'graphql-codegen',
    '--config',
    'codegen.ts',
    '--check',
  ]);
  step('type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  step('type-check: the console', 'npx', ['tsc', '-p', 'console/tsconfig.json', '--noEmit']);
  step('format (prettier --check)', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']);
  step('lint (eslint, type-checked)', 'npx', ['eslint', '.']);
  step('layers (no face imports another)', process.execPath, ['--import', 'tsx', 'scripts/layers.ts']);
}
// Each test step also writes TAP to a file, so that the last line of `npm test` can count every
// test of every step ("N passed, N failed"), not only those of the last step.
const tapDir = mkdtempSync(join(tmpdir(), 'stanza-gateway-tap-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const testRunner = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout'];

// A test file (a file is a test too) that runs longer than this fails rather than hangs the run.
// The fresh-clone step installs and runs the whole suite once more: minutes, more when loaded.
const FILE_TIMEOUT_MS = 10 * 60_000;
const FRESH_CLONE_TIMEOUT_MS = 60 * 60_000;

function testStep(name: string, args: string[]): void {
  const tap = join(tapDir, `${name.replace(/\W+/g, '-')}.tap`);
  const timeout = args.some((arg) => arg.includes('fresh-clone')) ? FRESH_CLONE_TIMEOUT_MS : FILE_TIMEOUT_MS;
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(
    process.execPath,
    [...testRunner, `--test-timeout=${timeout}`, '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...args],
    {
      stdio: 'inherit',
    },
  );
  const report = (() => {
    try {
      return readFileSync(tap, 'utf8');
    } catch {
      return '';
    }
  })();
  const count = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
  totals.passed += count('pass');
  totals.failed += count('fail') + count('cancelled');
  totals.skipped += count('skipped');
  if (result.error || result.status !== 0) finish(result.status ?? 1);
}

function finish(code: number): never {
  rmSync(tapDir, { recursive: true, force: true });
  process.stdout.write(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  process.exit(code === 0 && totals.failed > 0 ? 1 : code);
}

testStep('tests', ['--test-concurrency=2', ...files]);

// Last and alone: a clean clone running the README's two commands (which include this whole
// suite once more, with this step skipped so it does not recurse). SKIP_FRESH_CLONE=1 skips it
// while iterating; CI runs it.
if (requested.length === 0 && !process.env.STANZA_GATEWAY_NESTED_TEST) {
  if (process.env.SKIP_FRESH_CLONE)
    process.stdout.write('\n== the README on a fresh clone: skipped (SKIP_FRESH_CLONE)\n');
  else testStep('the README on a fresh clone', ['test/fresh-clone/readme-commands.test.ts']);
}
finish(0);
