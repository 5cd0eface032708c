import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.ts';
import type { SqlSession } from './database.ts';

/**
 * Applies prisma/migrations at start-up, as `prisma migrate deploy` would: Prisma's native
 * schema engine cannot be installed here (docs/dependencies.md, "Prisma 7 without engine
 * binaries"). It keeps Prisma's `_prisma_migrations` table and conventions, so `prisma migrate
 * status`/`deploy` stay valid wherever an engine exists:
 * - the same advisory lock key as Prisma's engine, so two gateways (or a gateway and the CLI)
 *   never migrate at once;
 * - checksum = sha256 hex of migration.sql;
 * - a row that started and neither finished nor was rolled back is a failed migration: nothing
 *   more is applied until an operator resolves it (Prisma's P3009).
 * Each migration runs in one transaction, so a failure leaves no half-applied schema.
 */
export const migrationsDir = findMigrations(dirname(fileURLToPath(import.meta.url)));

/** prisma/migrations of the checkout: two folders up from src/db, three from dist/src/db. */
function findMigrations(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(from, '..', '..', 'prisma', 'migrations');
  }
}

/** Prisma's own lock id (schema-engine's postgres connector). */
const ADVISORY_LOCK_KEY = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function readMigrations(dir = migrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Applies what is missing; resolves with the names applied now. */
export async function migrate(session: SqlSession, migrations: Migration[], log: Logger): Promise<string[]> {
  await session.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
  try {
    await session.exec(CREATE_TABLE);
    const rows = await session.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `migration ${failed.migration_name} failed earlier and is not resolved; fix the database, then ` +
          `mark it rolled back (prisma migrate resolve --rolled-back ${failed.migration_name}, or set ` +
          'rolled_back_at in _prisma_migrations)',
      );
    }
    const done = new Map(
      rows
        .filter((row) => row.finished_at !== null && row.rolled_back_at === null)
        .map((row) => [row.migration_name, row]),
    );
    const known = new Set(migrations.map((migration) => migration.name));
    for (const name of done.keys()) {
      if (!known.has(name))
        log.warn(
          { migration: name },
          'the database has a migration this version does not know (a newer gateway ran here?)',
        );
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      const row = done.get(migration.name);
      if (row) {
        if (row.checksum !== migration.checksum)
          log.warn({ migration: migration.name }, 'an applied migration was edited since (checksum differs)');
        continue;
      }
      await apply(session, migration);
      applied.push(migration.name);
      log.info({ migration: migration.name }, 'applied a database migration');
    }
    return applied;
  } finally {
    await session.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => {});
  }
}

async function apply(session: SqlSession, migration: Migration): Promise<void> {
  const id = randomUUID();
  await session.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)', [
    id,
    migration.checksum,
    migration.name,
  ]);
  try {
    await session.exec(`BEGIN;\n${migration.sql}\n;COMMIT;`);
  } catch (error) {
    await session.exec('ROLLBACK').catch(() => {});
    const text = error instanceof Error ? error.message : String(error);
    await session.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, text]);
    throw new MigrationError(`migration ${migration.name} failed (rolled back): ${text}`, { cause: error });
  }
  await session.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [
    id,
  ]);
}
