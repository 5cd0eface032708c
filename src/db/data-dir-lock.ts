import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';

/**
 * The embedded database serves one process: PGlite has no lock of its own, and two processes on
 * one DATA_DIR write over each other's pages (a second demo, or a self-check beside a running
 * demo, lost delivery rows that way). The first gateway to open a DATA_DIR holds `gateway.lock`
 * in it until it closes the database; any other process is refused with DataDirInUse.
 *
 * The lock file names its holder (pid, host). It is created whole or not at all (written aside,
 * then hard-linked into place, which fails if the name exists), so a reader never sees half of
 * it. A lock left by a process that died (same host, pid gone) is taken over.
 */
export class DataDirInUse extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
    readonly lockFile: string,
  ) {
    const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.since}` : 'another process';
    super(
      `DATA_DIR ${dataDir} is in use by ${who}. The embedded database serves one process at a time: stop the ` +
        `other gateway, or give this one its own DATA_DIR (or a DATABASE_URL). If no gateway runs there, ` +
        `remove ${lockFile}.`,
    );
    this.name = 'DataDirInUse';
  }
}

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** Tells this process's own lock from a file a former process with the same pid left. */
  token: string;
}

export interface DataDirLock {
  release(): Promise<void>;
}

/** Tokens of the locks this process holds (a pid alone cannot say: a container restarts as pid 1). */
const held = new Set<string>();

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const lockFile = join(dir, 'gateway.lock');
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
  const aside = join(dir, `gateway.lock.${me.token}`);
  await writeFile(aside, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await link(aside, lockFile);
        held.add(me.token);
        return { release: () => release(lockFile, me.token) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readHolder(lockFile);
      if (holder === 'gone' && attempt < 3) continue; // released just now
      // Taken over once at most: if it is back after that, somebody else is taking it now.
      if (holder === 'gone' || attempt > 0 || !holder || !isStale(holder)) {
        throw new DataDirInUse(dataDir, holder === 'gone' ? undefined : holder, lockFile);
      }
      await unlink(lockFile).catch(() => {});
    }
  } finally {
    await unlink(aside).catch(() => {});
  }
}

async function release(lockFile: string, token: string): Promise<void> {
  if (!held.delete(token)) return;
  // Only our own file: never a lock somebody took over after declaring ours stale.
  const holder = await readHolder(lockFile);
  if (typeof holder === 'object' && holder.token === token) await unlink(lockFile).catch(() => {});
}

async function readHolder(lockFile: string): Promise<LockHolder | 'gone' | undefined> {
  let text: string;
  try {
    text = await readFile(lockFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return undefined; // not ours to read: treated as held, never as stale
  }
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string' && typeof holder.token === 'string') {
      return { pid: holder.pid, host: holder.host, since: String(holder.since), token: holder.token };
    }
  } catch {
    // Not a lock file of ours: held by whoever wrote it.
  }
  return undefined;
}

/** Left by a process of this host that is gone; another host's pids cannot be checked. */
function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !held.has(holder.token);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
