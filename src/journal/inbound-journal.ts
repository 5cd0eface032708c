import { openSharedDatabase } from '../db/shared-database.ts';
import type { Database } from '../db/database.ts';
import { decodeJournalCursor, encodeJournalCursor } from '../db/journal-cursor.ts';
import type { JournalFilter, JournalRecord } from '../db/journal-records.ts';
import { JOURNAL_MAX_PAGE, JournalStore } from '../db/journal-store.ts';
import { JournalWriter, type JournalWriterStatus } from '../db/journal-writer.ts';
import { migrate, MigrationError, readMigrations } from '../db/migrator.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Part } from '../flow/start-order.ts';
import type { Logger } from '../log.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import type { XmppCore } from '../xmpp/core.ts';
import { journalRecordOf, stanzaOfRecord } from './journal-stanza.ts';

export { JOURNAL_MAX_PAGE } from '../db/journal-store.ts';

/**
 * The inbound journal (INBOUND_JOURNAL_DAYS > 0; docs/graphql.md "Resuming a subscription"):
 * every stanza of the core's inbound bus gets a sequence number at arrival, in arrival order,
 * before anything else sees it (its bus listener is the first), and is written in batches to
 * the "InboundStanza" table. Numbers continue after the highest stored, pruned or reserved one
 * (RESERVE_BLOCK), so cursors only grow and never stand for two stanzas, across restarts,
 * crashes and take-overs too. A replay reads the table and the rows still waiting for their
 * batch (JournalWriter.pending), so a write that is behind never makes a gap.
 */
export interface JournalOptions {
  /** DATABASE_URL; unset, the embedded database under `dataDir`. */
  url: string | undefined;
  dataDir: string;
  retentionDays: number;
  bufferMax: number;
}

/** One journal row back as a stanza, with its cursor. */
export interface JournalEntry {
  seq: number;
  receivedAt: Date;
  stanza: Stanza;
}

/** A replay prepared at one instant: what arrived before `liveFrom` comes from `entries`. */
export interface Replay {
  /** The seq the next arrival gets: live stanzas from here on. */
  liveFrom: number;
  entries: AsyncIterable<JournalEntry>;
}

export interface JournalPageArgs {
  first?: number;
  after?: string;
  filter?: JournalFilter;
}

export interface JournalStatus extends JournalWriterStatus {
  /** The cursor the next stanza gets, as a number. */
  nextSeq: number;
  prunedThrough: number;
}

const REPLAY_PAGE = 500;
const CLOSE_FLUSH_MS = 5_000;
/**
 * Numbers are reserved in the database this many at a time, a block ahead: a gateway that
 * crashed (or a leader that was killed) gave out numbers it never wrote, and the next start
 * numbers after every reserved one, so that no cursor a bot holds ever stands for two stanzas.
 * A start skips what was left of the last block.
 */
const RESERVE_BLOCK = 10_000;
/** After a reservation that failed, the next is tried no sooner (not once per stanza of a burst). */
const RESERVE_RETRY_MS = 1_000;
const PRUNE_FIRST_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface Open {
  database: Database;
  writer: JournalWriter;
  store: JournalStore;
}

export class InboundJournal implements Part {
  #open: Open | undefined;
  #nextSeq = 1;
  /** Numbers up to this one are recorded as given out (JournalStore.reserve). */
  #reservedThrough = 0;
  #reserving: Promise<void> | undefined;
  #warnedUnreserved = false;
  #reserveRetryAt = 0;
  #prunedThrough = 0;
  readonly #seqs = new WeakMap<Stanza, number>();
  #detach: (() => void) | undefined;
  #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly core: XmppCore,
    private readonly options: JournalOptions,
    private readonly log: Logger,
  ) {
    // Now, before any face subscribes: the seq of a stanza is known to every later listener.
    this.#detach = core.inbound.subscribe((stanza) => this.#record(stanza));
  }

  /**
   * Opens and migrates the database and reads where the numbers stand. Unlike the delivery log,
   * the journal cannot start without its database: the next number must follow the stored ones.
   */
  async start(): Promise<void> {
    const database = await openSharedDatabase({ url: this.options.url, dataDir: this.options.dataDir }, this.log);
    const migrations = await readMigrations();
    const writer = new JournalWriter(
      database.prisma,
      this.core.domain,
      {
        bufferMax: this.options.bufferMax,
        recover: async () => {
          const session = await database.session();
          try {
            await migrate(session, migrations, this.log);
          } finally {
            session.release();
          }
        },
      },
      this.log,
    );
    const store = new JournalStore(database.prisma, this.core.domain);
    try {
      await writer.start();
      if (!writer.up) throw new Error(`the database is unreachable: ${writer.status().lastError}`);
      const marks = await store.marks();
      this.#nextSeq = marks.highest + 1;
      this.#reservedThrough = this.#nextSeq + RESERVE_BLOCK - 1;
      await store.reserve(this.#reservedThrough);
      this.#prunedThrough = marks.prunedThrough;
    } catch (error) {
      await writer.close(0);
      await database.close().catch(() => {});
      const reason = error instanceof MigrationError ? `cannot migrate its database: ${error.message}` : String(error);
      throw new Error(`cannot start the inbound journal (INBOUND_JOURNAL_DAYS): ${reason}`, { cause: error });
    }
    this.#open = { database, writer, store };
    this.#timers = [
      setTimeout(() => void this.#pruneQuietly(), PRUNE_FIRST_MS),
      setInterval(() => void this.#pruneQuietly(), PRUNE_EVERY_MS),
    ];
    for (const timer of this.#timers) timer.unref();
  }

  /** After the link closed: what is buffered is written (within CLOSE_FLUSH_MS), then the database closes. */
  async stop(): Promise<void> {
    this.#detach?.();
    this.#detach = undefined;
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
    const open = this.#open;
    if (!open) return;
    await this.#reserving;
    await open.writer.close(CLOSE_FLUSH_MS);
    await open.database.close();
  }

  status(): JournalStatus {
    const writer = this.#open?.writer.status() ?? { state: 'down', lastError: 'not started', buffered: 0, lostRows: 0 };
    return { ...writer, nextSeq: this.#nextSeq, prunedThrough: this.#prunedThrough };
  }

  /** The cursor of a stanza that went through the journal (live or replayed); undefined otherwise. */
  cursorOf(stanza: Stanza): string | undefined {
    const seq = this.#seqs.get(stanza);
    return seq === undefined ? undefined : encodeJournalCursor(seq);
  }

  seqOf(stanza: Stanza): number | undefined {
    return this.#seqs.get(stanza);
  }

  /**
   * The seq a cursor stands for, checked against this journal: `bad-cursor` when it is not one
   * or is ahead of every stanza so far (another gateway's, or a database that was reset);
   * `cursor-expired` when stanzas after it were pruned.
   */
  position(cursor: string): number {
    const seq = decodeJournalCursor(cursor);
    if (seq >= this.#nextSeq) {
      throw new GatewayError('bad-cursor', {
        field: 'after',
        text: 'This cursor is ahead of the inbound journal: it is not from this gateway or its database was reset',
      });
    }
    if (seq < this.#prunedThrough) throw new GatewayError('cursor-expired', { field: 'after' });
    return seq;
  }

  /**
   * Prepares, synchronously (call it in the same turn as the live subscription is made), the
   * replay of every stanza after `afterSeq` that arrived before now. The rows still waiting for
   * their batch are taken now; those committed before now are in the table when it is read.
   * Rows move from the first set to the second only by being committed, so none falls between.
   */
  replay(afterSeq: number): Replay {
    const open = this.#opened();
    const liveFrom = this.#nextSeq;
    const pending = open.writer.pending();
    const entries = async function* (journal: InboundJournal): AsyncGenerator<JournalEntry> {
      let last = afterSeq;
      for (;;) {
        const rows = await open.store.between(last, liveFrom, REPLAY_PAGE);
        for (const row of rows) {
          last = row.seq;
          const entry = journal.#entryOf(row);
          if (entry) yield entry;
        }
        if (rows.length < REPLAY_PAGE) break;
      }
      for (const row of pending) {
        if (row.seq <= last || row.seq >= liveFrom) continue;
        last = row.seq;
        const entry = journal.#entryOf(row);
        if (entry) yield entry;
      }
    };
    return { liveFrom, entries: entries(this) };
  }

  /** A page of the journal, newest first, after everything that arrived before the call is written. */
  async page(args: JournalPageArgs) {
    const open = this.#opened();
    if (args.first !== undefined && (args.first < 1 || args.first > JOURNAL_MAX_PAGE)) {
      throw new GatewayError('invalid-argument', {
        field: 'first',
        text: `first must be between 1 and ${JOURNAL_MAX_PAGE}`,
      });
    }
    if (args.after !== undefined) this.position(args.after);
    // Read-after-write: a stanza that arrived before the query is on its page (unless the
    // database is down, and then the read fails anyway).
    if (open.writer.up) await open.writer.written();
    const page = await open.store.page(args);
    return {
      ...page,
      edges: page.edges.flatMap((edge) => {
        const entry = this.#entryOf(edge.node);
        return entry ? [{ cursor: edge.cursor, receivedAt: entry.receivedAt, node: entry.stanza }] : [];
      }),
    };
  }

  /** Resolves once every stanza that arrived before the call is written (or lost). */
  async written(): Promise<void> {
    await this.#open?.writer.written();
  }

  /** One retention pass now (it also runs hourly); resolves with the rows removed. */
  async prune(now: Date = new Date()): Promise<number> {
    const open = this.#opened();
    const { removed, prunedThrough } = await open.store.prune(
      new Date(now.getTime() - this.options.retentionDays * DAY_MS),
    );
    this.#prunedThrough = Math.max(this.#prunedThrough, prunedThrough);
    if (removed > 0) this.log.info({ removed, prunedThrough }, 'pruned old stanzas from the inbound journal');
    return removed;
  }

  async #pruneQuietly(): Promise<void> {
    try {
      await this.prune();
    } catch (error) {
      this.log.warn({ err: error }, 'could not prune the inbound journal; trying again later');
    }
  }

  #opened(): Open {
    if (!this.#open) throw new GatewayError('database-unavailable', { text: 'The inbound journal is not started' });
    return this.#open;
  }

  #record(stanza: Stanza): void {
    const seq = this.#nextSeq;
    this.#nextSeq += 1;
    if (this.#reservedThrough - seq < RESERVE_BLOCK / 2) this.#reserveMore(seq);
    this.#seqs.set(stanza, seq);
    const writer = this.#open?.writer;
    if (writer) writer.push(journalRecordOf(stanza, seq, new Date()));
  }

  /** The next block, reserved while half of the current one is still unused. */
  #reserveMore(seq: number): void {
    const open = this.#open;
    if (!open || this.#reserving || performance.now() < this.#reserveRetryAt) return;
    if (seq > this.#reservedThrough && !this.#warnedUnreserved) {
      this.#warnedUnreserved = true;
      this.log.warn(
        { seq, reservedThrough: this.#reservedThrough },
        'inbound journal numbers are given out past their reservation (the database is slow or away): ' +
          'a crash now could give some twice',
      );
    }
    const through = Math.max(this.#reservedThrough, seq) + RESERVE_BLOCK;
    this.#reserving = open.store
      .reserve(through)
      .then(
        () => {
          this.#reservedThrough = Math.max(this.#reservedThrough, through);
          this.#warnedUnreserved = false;
        },
        (error: unknown) => {
          this.#reserveRetryAt = performance.now() + RESERVE_RETRY_MS;
          this.log.debug({ err: error }, 'could not reserve inbound journal numbers; trying again');
        },
      )
      .finally(() => (this.#reserving = undefined));
  }

  #entryOf(row: JournalRecord): JournalEntry | undefined {
    const stanza = stanzaOfRecord(row, this.core.domain);
    if (!stanza) {
      this.log.warn({ seq: row.seq }, 'an inbound journal row does not decode; skipped');
      return undefined;
    }
    this.#seqs.set(stanza, row.seq);
    return { seq: row.seq, receivedAt: row.receivedAt, stanza };
  }
}
