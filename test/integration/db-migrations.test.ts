import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate, MigrationError, readMigrations } from '../../src/db/migrator.ts';
import { createLogger } from '../../src/log.ts';
import { catalogOf } from '../support/catalog.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { diffDatamodels, readSchema } from '../support/schema-engine.ts';

/**
 * The start-up migrator (docs/dependencies.md) on fresh databases, real Postgres and the
 * embedded PGlite, and the proof that prisma/migrations builds what prisma/schema.prisma says.
 */
const log = createLogger('silent');
const created: TestDatabase[] = [];
const dirs: string[] = [];

async function freshPostgres(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  created.push(db);
  return db;
}

async function migrateWith(db: Database, migrations = readMigrations()): Promise<string[]> {
  const session = await db.session();
  try {
    return await migrate(session, await migrations, log);
  } finally {
    session.release();
  }
}

after(async () => {
  for (const db of created) await db.drop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('on a fresh Postgres database', () => {
  let target: TestDatabase;
  let db: Database;
  before(async () => {
    target = await freshPostgres();
    db = await openDatabase({ url: target.url, dataDir: '' }, log);
  });
  after(() => db.close());

  it('applies every migration once and records it as Prisma does', async () => {
    const migrations = await readMigrations();
    assert.deepEqual(
      await migrateWith(db),
      migrations.map((m) => m.name),
    );
    assert.deepEqual(await migrateWith(db), [], 'the second start applies nothing');
    const rows = await queryDatabase<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      target.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count ' +
        'FROM "_prisma_migrations" ORDER BY migration_name',
    );
    assert.deepEqual(
      rows.map((row) => [row.migration_name, row.checksum, row.finished_at !== null, row.applied_steps_count]),
      migrations.map((m) => [m.name, createHash('sha256').update(m.sql).digest('hex'), true, 1]),
    );
  });

  it('gives a schema the generated client works with', async () => {
    const now = new Date();
    await db.prisma.delivery.create({
      data: {
        id: '00000000-0000-4000-8000-000000000001',
        createdAt: now,
        updatedAt: now,
        kind: 'message',
        stanzaId: 'm1',
        fromJid: 'alice@localhost/phone',
        senderBare: 'alice@localhost',
        toJid: 'bot@rest.localhost',
        xml: '<message/>',
        status: 'pending',
      },
    });
    const found = await db.prisma.delivery.findUnique({ where: { id: '00000000-0000-4000-8000-000000000001' } });
    assert.equal(found?.createdAt.getTime(), now.getTime());
  });
});

it('the migrations build exactly what prisma/schema.prisma declares', async () => {
  const viaMigrations = await freshPostgres();
  const viaSchema = await freshPostgres();
  const db = await openDatabase({ url: viaMigrations.url, dataDir: '' }, log);
  await migrateWith(db);
  await db.close();
  const sql = await diffDatamodels(undefined, readSchema());
  await queryDatabase(viaSchema.url, sql);
  assert.deepEqual(await catalogOf(viaMigrations.url), await catalogOf(viaSchema.url));
});

it('two gateways starting at once: the advisory lock lets one migrate', async () => {
  const target = await freshPostgres();
  const [a, b] = await Promise.all([1, 2].map(() => openDatabase({ url: target.url, dataDir: '' }, log)));
  const results = await Promise.all([migrateWith(a!), migrateWith(b!)]);
  assert.deepEqual(results.map((names) => names.length).sort(), [0, (await readMigrations()).length]);
  await Promise.all([a!.close(), b!.close()]);
});

describe('failures', () => {
  async function migrationsDirWith(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sg-migrations-'));
    dirs.push(dir);
    for (const [name, sql] of Object.entries(files)) {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, 'migration.sql'), sql);
    }
    return dir;
  }

  it('a failing migration is rolled back whole, recorded with its error, and blocks the next start', async () => {
    const target = await freshPostgres();
    const db = await openDatabase({ url: target.url, dataDir: '' }, log);
    const dir = await migrationsDirWith({
      '20260101000000_good': 'CREATE TABLE "Good" ("id" INTEGER);',
      '20260102000000_bad': 'CREATE TABLE "Half" ("id" INTEGER);\nSELECT * FROM "NoSuchTable";',
    });
    await assert.rejects(migrateWith(db, readMigrations(dir)), MigrationError);
    const tables = await queryDatabase<{ table_name: string }>(
      target.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    assert.deepEqual(
      tables.map((t) => t.table_name),
      ['Good', '_prisma_migrations'],
      'nothing of the bad migration remains',
    );
    const [failed] = await queryDatabase<{ logs: string | null; finished_at: Date | null }>(
      target.url,
      `SELECT logs, finished_at FROM "_prisma_migrations" WHERE migration_name = '20260102000000_bad'`,
    );
    assert.equal(failed?.finished_at, null);
    assert.match(failed?.logs ?? '', /NoSuchTable/);
    await assert.rejects(migrateWith(db, readMigrations(dir)), /failed earlier and is not resolved/);
    await db.close();
  });
});

it('on a fresh embedded database (PGlite) under DATA_DIR', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sg-data-'));
  dirs.push(dataDir);
  const db = await openDatabase({ url: undefined, dataDir }, log);
  assert.equal(db.kind, 'embedded');
  assert.equal((await migrateWith(db)).length, (await readMigrations()).length);
  assert.equal(await db.prisma.delivery.count(), 0);
  await db.close();
  // Reopened from disk: the schema is there and nothing is applied twice.
  const again = await openDatabase({ url: undefined, dataDir }, log);
  assert.deepEqual(await migrateWith(again), []);
  await again.close();
});
