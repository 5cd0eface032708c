import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { DataDirInUse, type DataDirLock, lockDataDir } from '../../src/db/data-dir-lock.ts';
import { runDemo } from '../support/demo-process.ts';

// `npm run demo` beside another process holding its embedded database (DATA_DIR is locked).

it('a demo on a DATA_DIR another process holds refuses to start, says why, and stops what it started', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stanza-gateway-demo-held-'));
  const lock = await lockDataDir(dir);
  try {
    const result = await runDemo([], { DATA_DIR: dir });
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
    const result = await runDemo(['--self-check'], {});
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /demo self-check passed/);
  } finally {
    await lock?.release();
  }
});
