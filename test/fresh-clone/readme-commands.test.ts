import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';

/**
 * A new user's first minutes: clone the repository into an empty directory and run the two
 * commands of the README's quick start exactly as written there — the gateway (the demo, in its
 * non-interactive self-check mode) and the tests. Runs last and alone (scripts/run-tests.ts);
 * the nested test run skips this file so it does not recurse.
 */
let dir: string;
let commands: { gateway: string; tests: string };

function quickStartCommands(readme: string): { gateway: string; tests: string } {
  const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has a Quick start with a sh block');
  const after = (comment: string) => {
    const lines = block.split('\n');
    const index = lines.findIndex((line) => line.startsWith(`# ${comment}`));
    assert.ok(index !== -1 && lines[index + 1], `the Quick start has a "# ${comment}" command`);
    return lines[index + 1]!.trim();
  };
  return { gateway: after('run the gateway'), tests: after('run the tests') };
}

/** Lines of the nested run worth showing while it runs: its steps, counts and failures. */
const PROGRESS = new RegExp(
  '^(== |added \\d+ packages|npm test on Node|tests: |demo self-check|✖)' + '|Node .* is older than',
);

function sh(
  command: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // NODE_TEST_CONTEXT would make the nested test runner think it is recursing and skip all.
    // The machine as a new user has it: its own PATH (and Node), nothing fetched by this run.
    const {
      NODE_TEST_CONTEXT: _,
      STANZA_GATEWAY_NODE_FETCHED: __,
      STANZA_GATEWAY_MACHINE_PATH: machinePath,
      ...inherited
    } = process.env;
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: { ...inherited, PATH: machinePath ?? inherited.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    const collect = (data: Buffer) => {
      output += data.toString();
      // Progress as it happens: the nested run takes minutes.
      const lines = (partial + data.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (PROGRESS.test(line)) process.stdout.write(`  fresh clone | ${line}\n`);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

before(async () => {
  commands = quickStartCommands(await readFile('README.md', 'utf8'));
  dir = await mkdtemp(join(tmpdir(), 'stanza-gateway-clone-'));
  process.stdout.write(`  fresh clone | cloning into ${dir}/repo, then: ${commands.gateway}; ${commands.tests}\n`);
  const clone = await sh(`git clone --quiet --no-hardlinks "${process.cwd()}" "${dir}/repo"`, tmpdir());
  assert.equal(clone.code, 0, clone.output);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('the gateway command (the demo, self-check mode) works on a fresh clone', async () => {
  assert.match(commands.gateway, /npm run demo$/);
  const result = await sh(`${commands.gateway} -- --self-check`, join(dir, 'repo'), { HTTP_PORT: '0' });
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /demo self-check passed/);
});

// A clean install and the whole suite once more (scripts/run-tests.ts gives this file an hour).
// CI's checkout is itself a clean clone whose `npm test` is this very run: there the nested run
// would only repeat it, at the cost of a whole suite.
const ciCheckout = process.env.CI === 'true' && 'CI runs on a clean clone: its own npm test is this command';
it('the test command passes on a fresh clone', { skip: ciCheckout }, async () => {
  const result = await sh(commands.tests, join(dir, 'repo'), { STANZA_GATEWAY_NESTED_TEST: '1' });
  assert.equal(result.code, 0, result.output.slice(-4000));
  assert.match(result.output, /ℹ fail 0/);
});
