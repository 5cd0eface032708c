import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Logger } from '../log.ts';
import { lockDataDir } from './data-dir-lock.ts';

/**
 * The delivery log's database: real Postgres when DATABASE_URL is set (@prisma/adapter-pg over
 * a pool we own), else an embedded Postgres (PGlite, wasm, one process) under DATA_DIR. Both
 * carry the same schema and migrations and the same generated client. Each driver is imported
 * when its database opens: a gateway without CALLBACK_URL loads none of them (Prisma's client
 * and PGlite's wasm Postgres are tens of MB resident), one on Postgres does not load PGlite.
 */
export type DatabaseKind = 'postgres' | 'embedded';

/** A raw SQL session for the migrator: one connection, so advisory locks hold across calls. */
export interface SqlSession {
  query<Row extends object>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a script of several statements (a migration.sql), without parameters. */
  exec(script: string): Promise<void>;
  release(): void;
}

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  session(): Promise<SqlSession>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  url: string | undefined;
  dataDir: string;
}

/** How long a query may wait for a connection or an answer before it counts as an outage. */
const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 30_000;

export async function openDatabase(options: DatabaseOptions, log: Logger): Promise<Database> {
  return options.url ? openPostgres(options.url, log) : openEmbedded(options.dataDir);
}

async function openPostgres(url: string, log: Logger): Promise<Database> {
  const [{ default: pg }, { PrismaPg }, { PrismaClient }] = await Promise.all([
    import('pg'),
    import('@prisma/adapter-pg'),
    import('../../generated/prisma/client.ts'),
  ]);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    keepAlive: true,
  });
  // An idle connection that the server drops emits `error` on the pool; without a listener
  // that would be an uncaught exception. Outages are noticed and reported by the log writer.
  pool.on('error', (error) => log.debug({ err: error }, 'an idle database connection failed'));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: 'postgres',
    prisma,
    async session() {
      const client = await pool.connect();
      return {
        query: async <Row extends object>(sql: string, params: unknown[] = []) =>
          (await client.query(sql, params)).rows as Row[],
        // Without parameters, pg uses the simple query protocol, which runs several statements.
        exec: async (script) => {
          await client.query(script);
        },
        release: () => client.release(),
      };
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openEmbedded(dataDir: string): Promise<Database> {
  const [{ PGlite }, { PrismaPGlite }, { PrismaClient }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
    import('../../generated/prisma/client.ts'),
  ]);
  // Before PGlite opens the files: a second process must not touch them at all.
  const lock = await lockDataDir(dataDir);
  const dir = resolve(join(dataDir, 'pglite'));
  let lite: PGlite;
  try {
    await mkdir(dir, { recursive: true });
    lite = await PGlite.create(dir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return {
    kind: 'embedded',
    prisma,
    // PGlite is a single session; it is also the migrator's.
    session() {
      return Promise.resolve({
        query: async <Row extends object>(sql: string, params: unknown[] = []) =>
          (await lite.query<Row>(sql, params)).rows,
        exec: async (script) => {
          await lite.exec(script);
        },
        release: () => {},
      });
    },
    async close() {
      try {
        await prisma.$disconnect();
        await lite.close();
      } finally {
        await lock.release();
      }
    },
  };
}
