import type { Config } from '../config.ts';
import { openDatabase, type Database, type DatabaseKind } from '../db/database.ts';
import { DeliveryStore } from '../db/delivery-store.ts';
import { LogWriter } from '../db/log-writer.ts';
import { migrate, readMigrations } from '../db/migrator.ts';
import { RetentionPruner } from '../db/retention.ts';
import type { Logger } from '../log.ts';
import { answererPriority, type XmppCore } from '../xmpp/core.ts';
import { DeliveryEvents } from './delivery-events.ts';
import { DeliveryLog } from './delivery-log.ts';
import { Dispatcher } from './dispatcher.ts';
import { stanzaFromLog } from './stored-stanza.ts';

export type { DeliveryLog } from './delivery-log.ts';
export type { DeliveryEvent, DeliveryEventFilter } from './delivery-events.ts';

/**
 * The webhook face, self-contained for buildApp: inbound bus and iq answerer in, callback
 * POSTs out, the delivery log behind. Stopping is two steps around the core's own stop:
 * pause() (no new attempts; what still arrives is logged as pending), then close().
 */
export interface Webhooks {
  log: DeliveryLog;
  status(): WebhookStatus;
  start(): Promise<void>;
  pause(): Promise<void>;
  close(): Promise<void>;
  /** One retention pass now (it also runs hourly); resolves with the deliveries removed. */
  prune(now?: Date): Promise<number>;
}

export interface WebhookStatus {
  database: {
    kind: DatabaseKind;
    state: 'up' | 'down' | 'closed';
    since: Date;
    lastError: string | undefined;
    bufferedWrites: number;
    /** Log writes lost to an outage longer than the buffer (the deliveries themselves went out). */
    lostLogRows: number;
  };
  deliveries: { active: number; inFlight: number; queued: number; accepted: number; delivered: number; failed: number; retries: number };
}

const CLOSE_FLUSH_MS = 5_000;

export function createWebhooks(config: Config, core: XmppCore, log: Logger): Webhooks | undefined {
  const callbackUrl = config.callbackUrl;
  if (!callbackUrl) return undefined;
  const events = new DeliveryEvents();
  let db: Database | undefined;
  let writer: LogWriter | undefined;
  let parts: { store: DeliveryStore; dispatcher: Dispatcher } | undefined;
  const detach: (() => void)[] = [];
  const pruner = new RetentionPruner(() => parts?.store, config.deliveryLog.retentionDays, log);

  /** Once per process, at the first moment the database is there: take up what an earlier run left. */
  let resumed = false;
  const resume = async () => {
    if (resumed || !parts || !writer) return;
    // What this run already finished must be written first, or it would read as pending.
    await writer.flushed();
    const { store, dispatcher } = parts;
    try {
      const rows = await store.pending();
      resumed = true;
      for (const row of rows) {
        const stanza = stanzaFromLog(row.xml, core.domain);
        if (stanza) dispatcher.resume(row, stanza);
        else log.error({ delivery: row.id }, 'a pending delivery cannot be read back; left as it is');
      }
      if (rows.length > 0) log.info({ count: rows.length }, 'resumed pending deliveries');
    } catch (error) {
      log.warn({ err: error }, 'could not read pending deliveries yet; trying when the database is back');
    }
  };

  return {
    log: new DeliveryLog(() => parts, events, core.domain),
    status() {
      const database = writer?.status();
      return {
        database: {
          kind: db?.kind ?? (config.databaseUrl ? 'postgres' : 'embedded'),
          state: database?.state ?? 'down',
          since: database?.since ?? new Date(),
          lastError: database?.lastError,
          bufferedWrites: database?.buffered ?? 0,
          lostLogRows: database?.lostRows ?? 0,
        },
        deliveries: parts?.dispatcher.status() ?? { active: 0, inFlight: 0, queued: 0, accepted: 0, delivered: 0, failed: 0, retries: 0 },
      };
    },
    async start() {
      const database = await openDatabase({ url: config.databaseUrl, dataDir: config.deliveryLog.dataDir }, log);
      db = database;
      const migrations = await readMigrations();
      writer = new LogWriter(
        database.prisma,
        {
          bufferMax: config.deliveryLog.bufferMax,
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
      if (!writer.up) {
        // The embedded database is local: failing to open it is a fault, not an outage.
        if (database.kind === 'embedded') throw new Error(`cannot open the embedded database: ${writer.status().lastError}`);
        log.warn({ reason: writer.status().lastError }, 'delivery log database unreachable at start; delivering anyway, logging when it is back');
      }
      const dispatcher = new Dispatcher({
        send: (stanza) => core.send(stanza),
        domain: core.domain,
        callbackUrl,
        settings: config.webhook,
        maxReplyBytes: config.rest.maxBodyBytes,
        writer,
        events,
        log,
      });
      parts = { store: new DeliveryStore(database.prisma), dispatcher };
      // Listeners run on the link's read path: accept() only enqueues.
      detach.push(
        core.inbound.subscribe((stanza) => {
          if (!stanza.isIqRequest) dispatcher.accept(stanza);
        }),
        core.addIqAnswerer(answererPriority.webhook, (request) => {
          dispatcher.accept(request);
          return true;
        }),
      );
      const onUp = () => void resume();
      writer.on('up', onUp);
      detach.push(() => writer?.off('up', onUp));
      if (writer.up) await resume();
      pruner.start();
    },
    prune: (now) => pruner.run(now),
    async pause() {
      await parts?.dispatcher.pause();
    },
    async close() {
      await parts?.dispatcher.pause();
      for (const undo of detach.splice(0)) undo();
      pruner.stop();
      await writer?.close(CLOSE_FLUSH_MS);
      await db?.close();
    },
  };
}
