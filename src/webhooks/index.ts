import { EventEmitter } from 'node:events';
import type { Config } from '../config.ts';
import { openDatabase, type Database, type DatabaseKind } from '../db/database.ts';
import { DeliveryStore } from '../db/delivery-store.ts';
import { LogWriter } from '../db/log-writer.ts';
import { migrate, MigrationError, readMigrations } from '../db/migrator.ts';
import { RetentionPruner } from '../db/retention.ts';
import type { Logger } from '../log.ts';
import type { XmppCore } from '../xmpp/core.ts';
import { answererPriority } from '../xmpp/iq-callee.ts';
import { DeliveryEvents } from './delivery-events.ts';
import { DeliveryLog } from './delivery-log.ts';
import { createCallbackClient } from './callback-client.ts';
import { probeCallbackFormat } from './callback-probe.ts';
import { callbackUrl as parseCallbackUrl } from './callback-url.ts';
import type { DeliveryMetricEvents } from './delivery-recorder.ts';
import { Dispatcher } from './dispatcher.ts';
import { EchoGuard } from './echo-guard.ts';

export type { DeliveryLog } from './delivery-log.ts';
export type { DeliveryEvent, DeliveryEventFilter } from './delivery-events.ts';

/**
 * The webhook face, self-contained for buildApp: inbound bus and iq answerer in, callback
 * POSTs out, the delivery log behind. Stopping is two steps around the core's own stop:
 * drain(deadline) (no new attempts, those in flight may finish until the deadline; what still
 * arrives is logged as pending), then close() (the log written, the database closed).
 */
export interface Webhooks {
  log: DeliveryLog;
  status(): WebhookStatus;
  /** Cheap events for metrics (src/ops/webhook-metrics.ts). */
  metricEvents: EventEmitter<DeliveryMetricEvents>;
  start(): Promise<void>;
  drain(deadline: number): Promise<void>;
  close(): Promise<void>;
  /** One round trip to the log's database (readiness); an outage found is handled as any other. */
  probeDatabase(): Promise<void>;
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
  deliveries: {
    /** In memory: queued, in flight or waiting for a retry (at most WEBHOOK_QUEUE_MAX). */
    active: number;
    inFlight: number;
    queued: number;
    retryWaiting: number;
    /** Kept only as pending rows (past WEBHOOK_QUEUE_MAX), not read back yet. */
    spilled: number;
    /** When the oldest delivery in memory arrived. */
    oldestPendingAt: Date | undefined;
    accepted: number;
    delivered: number;
    failed: number;
    retries: number;
    rejected: number;
  };
}

const CLOSE_FLUSH_MS = 5_000;
const IDLE_DELIVERIES: WebhookStatus['deliveries'] = {
  active: 0,
  inFlight: 0,
  queued: 0,
  retryWaiting: 0,
  spilled: 0,
  oldestPendingAt: undefined,
  accepted: 0,
  delivered: 0,
  failed: 0,
  retries: 0,
  rejected: 0,
};

export function createWebhooks(config: Config, core: XmppCore, log: Logger): Webhooks | undefined {
  const callbackUrl = config.callbackUrl;
  if (!callbackUrl) return undefined;
  const events = new DeliveryEvents();
  const metricEvents = new EventEmitter<DeliveryMetricEvents>();
  const client = createCallbackClient(callbackUrl, config.webhook.concurrency);
  const url = parseCallbackUrl(callbackUrl);
  const kinds = new Set(config.webhook.kinds);
  const probeAbort = new AbortController();
  let db: Database | undefined;
  let writer: LogWriter | undefined;
  let parts: { store: DeliveryStore; dispatcher: Dispatcher } | undefined;
  const detach: (() => void)[] = [];
  const pruner = new RetentionPruner(() => parts?.store, config.deliveryLog.retentionDays, log);

  /** Once per process, at the first moment the database is there: take up what an earlier run left. */
  let resumed = false;
  const resume = () => {
    if (resumed || !parts) return;
    resumed = true;
    parts.dispatcher.resume();
  };

  return {
    log: new DeliveryLog(() => parts, events, core.domain),
    metricEvents,
    status() {
      const database = writer?.status();
      const dispatcher = parts?.dispatcher;
      return {
        database: {
          kind: db?.kind ?? (config.databaseUrl ? 'postgres' : 'embedded'),
          state: database?.state ?? 'down',
          since: database?.since ?? new Date(),
          lastError: database?.lastError,
          bufferedWrites: database?.buffered ?? 0,
          lostLogRows: database?.lostRows ?? 0,
        },
        deliveries: dispatcher
          ? { ...dispatcher.status(), oldestPendingAt: dispatcher.oldestPending() }
          : IDLE_DELIVERIES,
      };
    },
    async start() {
      // Beside the database's start-up: the format must be known before the first delivery.
      const format = probeCallbackFormat({
        client,
        url,
        domain: core.domain,
        configured: config.webhook.format,
        secrets: config.webhook.secrets ?? [],
        timeoutMs: config.webhook.timeoutMs,
        signal: probeAbort.signal,
        log,
      });
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
      try {
        await writer.start();
        // The embedded database is local: failing to open it is a fault, not an outage.
        if (!writer.up && database.kind === 'embedded')
          throw new Error(`cannot open the embedded database: ${writer.status().lastError}`);
      } catch (error) {
        // Nothing else started yet: leave no pool or PGlite open behind a failed start.
        await writer.close(0);
        await database.close().catch(() => {});
        writer = undefined;
        db = undefined;
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
      const store = new DeliveryStore(database.prisma);
      const echoes = new EchoGuard({ domain: core.domain });
      const dispatcher = new Dispatcher({
        send: async (stanza) => {
          echoes.sending(stanza);
          try {
            await core.reply(stanza);
          } catch (error) {
            echoes.notSent(stanza);
            throw error;
          }
        },
        domain: core.domain,
        settings: config.webhook,
        callback: { format: await format, url },
        maxReplyBytes: config.rest.maxBodyBytes,
        maxStanzaBytes: config.xmpp.maxStanzaBytes,
        client,
        store,
        writer,
        events,
        metricEvents,
        log,
      });
      parts = { store, dispatcher };
      // Listeners run on the link's read path: accept() only enqueues. Kinds left out of
      // WEBHOOK_STANZA_KINDS are not POSTed: their iqs go to the other answerers.
      detach.push(
        core.inbound.subscribe((stanza) => {
          if (stanza.isIqRequest) return;
          // Sent on a callback's behalf to the gateway's own domain: never a callback again.
          if (echoes.returned(stanza))
            log.debug({ id: stanza.id, kind: stanza.kind }, 'not posting a callback reply back');
          else if (kinds.has(stanza.kind)) dispatcher.accept(stanza);
        }),
      );
      if (kinds.has('iq'))
        detach.push(
          core.addIqAnswerer(answererPriority.webhook, (request) => {
            dispatcher.accept(request);
            return true;
          }),
        );
      const onUp = () => {
        resume();
        dispatcher.databaseUp();
      };
      writer.on('up', onUp);
      detach.push(() => writer?.off('up', onUp));
      if (writer.up) resume();
      pruner.start();
    },
    prune: (now) => pruner.run(now),
    probeDatabase: async () => writer?.probe(),
    async drain(deadline) {
      await parts?.dispatcher.drain(deadline);
    },
    async close() {
      probeAbort.abort();
      await parts?.dispatcher.drain(Date.now());
      for (const undo of detach.splice(0)) undo();
      pruner.stop();
      await writer?.close(CLOSE_FLUSH_MS);
      client.close();
      await db?.close();
    },
  };
}
