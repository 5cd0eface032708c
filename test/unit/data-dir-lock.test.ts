import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataDirInUse, lockDataDir } from '../../src/db/data-dir-lock.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'stanza-gateway-lock-'));

describe('DATA_DIR lock (one process per embedded database)', () => {
  it('refuses a second holder with a message naming the first, and frees the directory on release', async () => {
    const dir = fresh();
    const first = await lockDataDir(dir);
    await assert.rejects(lockDataDir(dir), (error: unknown) => {
      assert.ok(error instanceof DataDirInUse);
      assert.equal(error.holder?.pid, process.pid);
      assert.match(error.message, new RegExp(`^DATA_DIR ${dir} is in use by process ${process.pid} on `));
      assert.match(error.message, /give this one its own DATA_DIR/);
      return true;
    });
    await first.release();
    const again = await lockDataDir(dir);
    await again.release();
    // Nothing left behind: no lock, no file written aside.
    assert.deepEqual(readdirSync(dir), []);
  });

  it('is held against another process while open', async () => {
    const dir = fresh();
    const lock = await lockDataDir(dir);
    const other = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/db/data-dir-lock.ts').then((m) => m.lockDataDir(${JSON.stringify(dir)})).then(` +
          '() => process.exit(0), (e) => { console.log(e.name); process.exit(3); })',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(other.status, 3, other.stderr);
    assert.equal(other.stdout.trim(), 'DataDirInUse');
    await lock.release();
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = fresh();
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const pid = Number(dead.stdout.trim());
    writeFileSync(join(dir, 'gateway.lock'), JSON.stringify({ pid, host: hostname(), since: 'then', token: 'old' }));
    const lock = await lockDataDir(dir);
    assert.equal((JSON.parse(readFileSync(join(dir, 'gateway.lock'), 'utf8')) as { pid: number }).pid, process.pid);
    await lock.release();
    assert.equal(existsSync(join(dir, 'gateway.lock')), false);
  });

  it('never takes over a lock of another host, or one it cannot read', async () => {
    for (const content of [
      JSON.stringify({ pid: 1, host: 'some-other-host', since: 'then', token: 'theirs' }),
      'garbage',
    ]) {
      const dir = fresh();
      writeFileSync(join(dir, 'gateway.lock'), content);
      await assert.rejects(lockDataDir(dir), DataDirInUse);
      assert.equal(readFileSync(join(dir, 'gateway.lock'), 'utf8'), content);
    }
  });

  it('a release does not remove a lock another process took over meanwhile', async () => {
    const dir = fresh();
    const lock = await lockDataDir(dir);
    const theirs = JSON.stringify({ pid: 1, host: 'some-other-host', since: 'now', token: 'theirs' });
    writeFileSync(join(dir, 'gateway.lock'), theirs);
    await lock.release();
    assert.equal(readFileSync(join(dir, 'gateway.lock'), 'utf8'), theirs);
  });
});
