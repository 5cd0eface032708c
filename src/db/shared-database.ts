import { resolve } from 'node:path';
import type { Logger } from '../log.ts';
import { type Database, type DatabaseOptions, openDatabase } from './database.ts';

/**
 * One open database per place, shared by the parts that keep rows there (the delivery log and
 * the inbound journal): the embedded database serves one opener only (its DATA_DIR is locked
 * while open), and one Postgres pool is enough for both. Each opener gets its own handle; the
 * database closes when the last handle does.
 */
interface Shared {
  handles: number;
  database: Promise<Database>;
}

const shared = new Map<string, Shared>();

export async function openSharedDatabase(options: DatabaseOptions, log: Logger): Promise<Database> {
  const key = options.url ?? `embedded:${resolve(options.dataDir)}`;
  let entry = shared.get(key);
  if (!entry) {
    const created: Shared = { handles: 0, database: openDatabase(options, log) };
    created.database.catch(() => shared.delete(key));
    shared.set(key, created);
    entry = created;
  }
  entry.handles += 1;
  let database: Database;
  try {
    database = await entry.database;
  } catch (error) {
    entry.handles -= 1;
    throw error;
  }
  const opened = entry;
  let closed = false;
  return {
    kind: database.kind,
    prisma: database.prisma,
    session: () => database.session(),
    async close() {
      if (closed) return;
      closed = true;
      opened.handles -= 1;
      if (opened.handles > 0) return;
      if (shared.get(key) === opened) shared.delete(key);
      await database.close();
    },
  };
}
