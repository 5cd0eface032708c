import type { Database, DatabaseKind } from '../db/database.ts';
import { openSharedDatabase } from '../db/shared-database.ts';
import { DeliveryStore } from '../db/delivery-store.ts';
import { LogWriter } from '../db/log-writer.ts';
import { migrate, MigrationError, readMigrations } from '../db/migrator.ts';
import type { Part } from '../flow/start-order.ts';
import type { Logger } from '../log.ts';

/** The database of the delivery log as the webhooks see it (part of WebhookStatus). */
export interface LogDatabaseStatus {
  kind: DatabaseKind;
  state: 'up' | 'down' | 'closed';
  since: Date;
  lastError: string | undefined;
  bufferedWrites: number;
  /** Log writes lost to an outage longer than the buffer (the deliveries themselves went out). */
  lostLogRows: number;
}

export interface OpenLog {
  database: Database;
  writer: LogWriter;
  store: DeliveryStore;
}

export interface LogDatabase extends Part {
  /** Once started (and still after stop(), so that status() can tell `closed`). */
  readonly open: OpenLog | undefined;
  status(): LogDatabaseStatus;
}

export interface LogDatabaseOptions {
  /** DATABASE_URL; unset, the embedded database under `dataDir`. */
  url: string | undefined;
  dataDir: string;
  /** DELIVERY_LOG_BUFFER_MAX. */
  bufferMax: number;
}

/** How long stop() lets the writer write what is buffered. */
const CLOSE_FLUSH_MS = 5_000;

/**
 * The delivery log's database, opened and migrated by start(), its writer running: reads go
 * through `open.store`, writes through `open.writer`. An unreachable Postgres at start is an
 * outage, not a failure (deliveries go on, the writer keeps trying); a migration the database
 * refuses, or an embedded database that cannot be opened, fails the start. stop() writes what
 * it can within CLOSE_FLUSH_MS, then closes the database.
 */
export function logDatabase(options: LogDatabaseOptions, log: Logger): LogDatabase {
  let open: OpenLog | undefined;

  async function start(): Promise<void> {
    const database = await openSharedDatabase({ url: options.url, dataDir: options.dataDir }, log);
    let writer: LogWriter | undefined;
    try {
      const migrations = await readMigrations();
      writer = new LogWriter(
        database.prisma,
        {
          bufferMax: options.bufferMax,
          recover: async () => {
            const session = await database.session();
            try {
              await migrate(session, migrations, log);
            } finally {
              session.release();
            }
          },
        },
        log,
      );
      await writer.start();
      // The embedded database is local: failing to open it is a fault, not an outage.
      if (!writer.up && database.kind === 'embedded')
        throw new Error(`cannot open the embedded database: ${writer.status().lastError}`);
    } catch (error) {
      // Leave no pool or PGlite (and its data directory's lock) open behind a failed start.
      await writer?.close(0);
      await database.close().catch(() => {});
      if (error instanceof MigrationError)
        throw new Error(`cannot migrate the delivery log database: ${error.message}`, { cause: error });
      throw error;
    }
    if (!writer.up) {
      log.warn(
        { reason: writer.status().lastError },
        'delivery log database unreachable at start; delivering anyway, logging when it is back',
      );
    }
    open = { database, writer, store: new DeliveryStore(database.prisma) };
  }

  return {
    get open() {
      return open;
    },
    start,
    async stop() {
      if (!open) return;
      await open.writer.close(CLOSE_FLUSH_MS);
      await open.database.close();
    },
    status() {
      const writer = open?.writer.status();
      return {
        kind: open?.database.kind ?? (options.url ? 'postgres' : 'embedded'),
        state: writer?.state ?? 'down',
        since: writer?.since ?? new Date(),
        lastError: writer?.lastError,
        bufferedWrites: writer?.buffered ?? 0,
        lostLogRows: writer?.lostRows ?? 0,
      };
    },
  };
}
