import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { cp, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/database.ts';
import { migrate, readMigrations } from '../../src/db/migrator.ts';
import { createLogger } from '../../src/log.ts';

/**
 * A fresh DATA_DIR whose embedded database is already created and migrated, for flow tests.
 * Creating a PGlite database runs initdb, which costs seconds of CPU (more than everything else
 * in a flow test file); opening a copy of one costs a fraction of that. The migrated database is
 * built once per machine, kept under the temp directory as a cache keyed by PGlite's build and
 * the migrations (a change to either builds a new one), and copied for each gateway. The
 * gateway opens and migrates the copy exactly as it opens any existing DATA_DIR.
 */
export async function migratedDataDir(): Promise<string> {
  const template = await templateDir();
  const dataDir = await mkdtemp(join(tmpdir(), 'sg-data-'));
  await cp(template, join(dataDir, 'pglite'), { recursive: true });
  return dataDir;
}

async function templateDir(): Promise<string> {
  const migrations = await readMigrations();
  // PGlite's exports hide its package.json: its entry point's bytes stand for its version.
  const pglite = await readFile(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  const key = createHash('sha256')
    .update(pglite)
    .update(JSON.stringify(migrations.map(({ name, checksum }) => [name, checksum])))
    .digest('hex')
    .slice(0, 16);
  const template = join(tmpdir(), `stanza-gateway-pglite-${key}`);
  if (await exists(join(template, 'PG_VERSION'))) return template;
  // Built aside and moved into place whole: a concurrent test file either finds it complete or
  // builds its own, and the first rename wins.
  const staging = await mkdtemp(join(tmpdir(), 'stanza-gateway-pglite-build-'));
  try {
    const log = createLogger('silent');
    const database = await openDatabase({ url: undefined, dataDir: staging }, log);
    try {
      await migrate(await database.session(), migrations, log);
    } finally {
      await database.close();
    }
    await rename(join(staging, 'pglite'), template).catch(async (error: NodeJS.ErrnoException) => {
      if (!(await exists(join(template, 'PG_VERSION')))) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return template;
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}
