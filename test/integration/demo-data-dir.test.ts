import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DataDirInUse, type DataDirLock, lockDataDir } from '../../src/db/data-dir-lock.ts';

/** `npm run demo` beside another process holding its embedded database (DATA_DIR is locked). */
function demo(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // The demo's own choice of database unless the test names one.
    const { DATA_DIR: _, DATABASE_URL: __, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts', ...args], {
      env: { ...inherited, HTTP_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

it('a demo on a DATA_DIR another process holds refuses to start, says why, and stops what it started', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stanza-gateway-demo-held-'));
  const lock = await lockDataDir(dir);
  try {
    const result = await demo([], { DATA_DIR: dir });
    assert.equal(result.code, 1, result.output);
    assert.match(
      result.output,
      new RegExp(`demo: the gateway did not start: DATA_DIR ${dir} is in use by process ${process.pid} `),
    );
    assert.match(result.output, /Demo stopped/);
  } finally {
    await lock.release();
    await rm(dir, { recursive: true, force: true });
  }
});

it("--self-check works while a demo holds the demo's DATA_DIR: it uses a directory of its own", async () => {
  // Held by this test, or by a demo somebody is running right now: either way it is taken.
  let lock: DataDirLock | undefined;
  try {
    lock = await lockDataDir('./data/demo');
  } catch (error) {
    if (!(error instanceof DataDirInUse)) throw error;
  }
  try {
    const result = await demo(['--self-check'], {});
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /demo self-check passed/);
  } finally {
    await lock?.release();
  }
});
