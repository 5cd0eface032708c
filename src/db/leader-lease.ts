import type { Client } from 'pg';
import type { Logger } from '../log.ts';
import { migrate, readMigrations } from './migrator.ts';

/**
 * The leader lease of one component domain, in the `LeaderLease` row (prisma/schema.prisma),
 * over a connection of its own: the renewals must not wait behind the delivery log's queries in
 * a shared pool, and each call is bounded by `timeoutMs`, past which the connection is dropped
 * and made again on the next call (a connection that hangs never answers late and wrongly).
 *
 * Every expiry is the database's clock (`clock_timestamp()`); the caller measures only how long
 * its own calls took, so no two machines' clocks are ever compared.
 */
export interface LeaseStore {
  /**
   * Connects (and migrates, once) if need be. Apart from the calls below, so that their timing
   * (from which the leader counts its lease) never includes a connection or a migration.
   */
  prepare(): Promise<void>;
  /** Takes the lease if nobody holds it or it has ended; resolves with its epoch, or undefined. */
  acquire(leaseMs: number): Promise<bigint | undefined>;
  /** Extends the lease this holder took at `epoch`; false: it has ended or changed hands. */
  renew(epoch: bigint, leaseMs: number): Promise<boolean>;
  /** Ends the lease at once (a graceful stop), so that a standby takes over without waiting. */
  release(epoch: bigint): Promise<void>;
  close(): Promise<void>;
}

export interface LeaseStoreOptions {
  url: string;
  domain: string;
  /** Tells this process apart in the row: host, pid and a random part. */
  holder: string;
  /** The longest a call may take (connecting is apart: CONNECT_TIMEOUT_MS). */
  timeoutMs: number;
}

const ACQUIRE = `
INSERT INTO "LeaderLease" AS lease ("domain", "holder", "epoch", "expiresAt", "renewedAt")
VALUES ($1, $2, 1, clock_timestamp() + make_interval(secs => $3::float8 / 1000), clock_timestamp())
ON CONFLICT ("domain") DO UPDATE
  SET "holder" = EXCLUDED."holder", "epoch" = lease."epoch" + 1,
      "expiresAt" = EXCLUDED."expiresAt", "renewedAt" = EXCLUDED."renewedAt"
  WHERE lease."expiresAt" <= clock_timestamp()
RETURNING "epoch"`;

const RENEW = `
UPDATE "LeaderLease"
SET "expiresAt" = clock_timestamp() + make_interval(secs => $4::float8 / 1000), "renewedAt" = clock_timestamp()
WHERE "domain" = $1 AND "holder" = $2 AND "epoch" = $3 AND "expiresAt" > clock_timestamp()
RETURNING "epoch"`;

const RELEASE = `
UPDATE "LeaderLease" SET "expiresAt" = clock_timestamp()
WHERE "domain" = $1 AND "holder" = $2 AND "epoch" = $3`;

/** Migrations may take a while (and wait for another gateway's); lease calls may not. */
const MIGRATE_TIMEOUT_MS = 30_000;
/** After a migration that failed (a failed row, missing rights), the next try waits this long. */
const MIGRATE_RETRY_MS = 5_000;
/**
 * A connection (TLS and authentication included) may take longer than a lease call: it is made
 * before the leader starts counting (prepare), and a leader that cannot reconnect in time steps
 * down by its own timer meanwhile.
 */
const CONNECT_TIMEOUT_MS = 5_000;

export function leaseStore(options: LeaseStoreOptions, log: Logger): LeaseStore {
  let connection: Promise<Client> | undefined;
  let migrated = false;
  let migrationFailure: { error: unknown; until: number } | undefined;

  async function client(timeoutMs: number): Promise<Client> {
    const { default: pg } = await import('pg');
    const fresh = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: Math.max(timeoutMs, CONNECT_TIMEOUT_MS),
      // The server gives up too: a statement that waits for a lock does not outlive the call and
      // pile up there (the client's own timeout only stops waiting for it).
      statement_timeout: timeoutMs,
      lock_timeout: timeoutMs,
      keepAlive: true,
    });
    fresh.on('error', (error) => log.debug({ err: error }, 'a leader lease connection failed'));
    try {
      await fresh.connect();
    } catch (error) {
      await fresh.end().catch(() => {});
      throw error;
    }
    return fresh;
  }

  /** Once per process, on a connection of its own that is always closed. */
  async function migrateOnce(): Promise<void> {
    if (migrated) return;
    if (migrationFailure && Date.now() < migrationFailure.until) throw migrationFailure.error;
    const session = await client(MIGRATE_TIMEOUT_MS);
    try {
      // The table may be new: the lease is taken before the delivery log or the journal open.
      await migrate(
        {
          query: async <Row extends object>(sql: string, params: unknown[] = []) =>
            (await session.query(sql, params)).rows as Row[],
          exec: async (script) => {
            await session.query(script);
          },
          release: () => {},
        },
        await readMigrations(),
        log,
      );
      migrated = true;
      migrationFailure = undefined;
    } catch (error) {
      migrationFailure = { error, until: Date.now() + MIGRATE_RETRY_MS };
      throw error;
    } finally {
      await session.end().catch(() => {});
    }
  }

  async function connect(): Promise<Client> {
    await migrateOnce();
    const fresh = await client(options.timeoutMs);
    // A connection the server or the network drops: the next call connects again (a call that
    // starts on it meanwhile fails and forgets it too).
    fresh.on('error', () => {
      const current = connection;
      void current
        ?.then((client) => {
          if (client === fresh && connection === current) connection = undefined;
        })
        .catch(() => {});
      fresh.end().catch(() => {});
    });
    return fresh;
  }

  function forget(which: Promise<Client>): void {
    if (connection === which) connection = undefined;
    which.then((client) => client.end()).catch(() => {});
  }

  /** The connection, made (and the migrations applied) if there is none. */
  function ready(): Promise<Client> {
    if (connection) return connection;
    const made = connect();
    // A connection that could not be made is tried again at the next call.
    made.catch(() => {
      if (connection === made) connection = undefined;
    });
    connection = made;
    return made;
  }

  async function query(sql: string, params: unknown[]): Promise<unknown[]> {
    const pending = ready();
    try {
      const client = await pending;
      const result = await client.query({ text: sql, values: params, query_timeout: options.timeoutMs } as {
        text: string;
        values: unknown[];
      });
      return result.rows as unknown[];
    } catch (error) {
      // A timed-out query may still be running there: that connection is not used again.
      forget(pending);
      throw error;
    }
  }

  return {
    async prepare() {
      await ready();
    },
    async acquire(leaseMs) {
      const rows = (await query(ACQUIRE, [options.domain, options.holder, leaseMs])) as { epoch: string }[];
      return rows[0] ? BigInt(rows[0].epoch) : undefined;
    },
    async renew(epoch, leaseMs) {
      const rows = await query(RENEW, [options.domain, options.holder, epoch.toString(), leaseMs]);
      return rows.length === 1;
    },
    async release(epoch) {
      await query(RELEASE, [options.domain, options.holder, epoch.toString()]);
    },
    async close() {
      const current = connection;
      connection = undefined;
      await current?.then((client) => client.end()).catch(() => {});
    },
  };
}
