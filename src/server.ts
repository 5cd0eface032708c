import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Config } from './config.ts';
import { BearerAuth } from './auth/bearer-auth.ts';
import type { TokenDefinition } from './auth/token-definitions.ts';
import { CorsPolicy } from './http/cors.ts';
import { createConsoleMount } from './console/console-mount.ts';
import { createGraphqlFace } from './graphql/graphql-face.ts';
import { ConnectionGuard } from './http/connection-guard.ts';
import { fitConnectionCap } from './http/descriptor-limit.ts';
import { createHttpServer, type Mount } from './http/http-server.ts';
import { RequestTracker } from './http/request-tracker.ts';
import type { Logger } from './log.ts';
import { createMetrics } from './ops/metrics.ts';
import { createOpsMount } from './ops/ops-mount.ts';
import type { ReadinessCheck } from './ops/readiness.ts';
import { databaseCheck } from './ops/database-check.ts';
import { electionCheck } from './ops/election-check.ts';
import { registerHttpMetrics } from './ops/http-metrics.ts';
import { registerJournalMetrics } from './ops/journal-metrics.ts';
import { registerTokenMetrics } from './ops/token-metrics.ts';
import { registerWebhookMetrics } from './ops/webhook-metrics.ts';
import { createRestHandler, refuseUnavailable } from './rest/router.ts';
import { createLeaderElection } from './ha/leader-election.ts';
import { type GatewayRole, serves } from './ha/role.ts';
import { registerRoleMetrics } from './ops/role-metrics.ts';
import { InboundJournal } from './journal/inbound-journal.ts';
import { createWebhooks, type Webhooks } from './webhooks/index.ts';
import { XmppCore } from './xmpp/core.ts';

export interface App {
  core: XmppCore;
  metrics: Registry;
  /** The inbound journal; undefined unless INBOUND_JOURNAL_DAYS is above 0. */
  journal: InboundJournal | undefined;
  /** The webhook face and its delivery log; undefined without CALLBACK_URL. */
  webhooks: Webhooks | undefined;
  /**
   * Replaces the scoped tokens (SIGHUP) without touching the link: open subscriptions that lost
   * their right end; narrower `see` and `from` apply to the next stanza. Throws, changing
   * nothing, when a definition reuses an API_TOKENS secret.
   */
  reloadTokens(definitions: readonly TokenDefinition[]): { tokens: number; ended: number };
  /** Builds the web console's files now instead of at its first request. */
  warmConsole(): Promise<void>;
  /** This process's role among the gateways of its domain (HA_ELECTION; src/ha/role.ts). */
  readonly role: GatewayRole;
  /**
   * Called once when this leader lost its lease and has closed its link (the database went
   * away): it cannot serve again, so main.ts stops it and exits with 75 for its supervisor to
   * restart it, as a standby.
   */
  onSteppedDown(listener: (reason: string) => void): void;
  /**
   * Starts listening and connecting; resolves once HTTP listens (the link comes up by itself).
   * With HA_ELECTION, the link, the journal and the webhooks start once this process is elected.
   */
  start(): Promise<{ url: string }>;
  /**
   * Graceful stop: refuse new requests; let those in progress and the webhook attempts in
   * flight finish, all within one SHUTDOWN_GRACE_MS; then close the component stream cleanly
   * and write the delivery log (what was not attempted stays pending for the next start).
   */
  stop(): Promise<void>;
}

/** Builds the gateway from a config; nothing listens or connects until start(). */
export function buildApp(config: Config, log: Logger): App {
  const core = new XmppCore(config.xmpp, log);
  const auth = new BearerAuth(config.auth.tokens ?? [], config.auth.scopedTokens);
  const cors = new CorsPolicy(config.http.corsOrigins);
  const metrics = createMetrics(core);
  // Before the faces: its bus listener numbers each inbound stanza before anyone else sees it.
  const journal =
    config.journal.retentionDays > 0
      ? new InboundJournal(
          core,
          {
            url: config.databaseUrl,
            dataDir: config.deliveryLog.dataDir,
            retentionDays: config.journal.retentionDays,
            bufferMax: config.journal.bufferMax,
          },
          log,
        )
      : undefined;
  const webhooks = createWebhooks(config, core, log);
  const election =
    config.ha.election === 'on'
      ? createLeaderElection({ url: config.databaseUrl!, domain: config.xmpp.domain, leaseMs: config.ha.leaseMs }, log)
      : undefined;
  let role: GatewayRole = election ? 'standby' : 'single';
  const steppedDown: ((reason: string) => void)[] = [];
  /** The journal and the webhooks run (on a leader, or alone): they have something to stop. */
  let serving = false;
  /** The start of a leader's parts, under way or done: a stop waits for it before it looks. */
  let leading: Promise<void> | undefined;
  // Only while the lease holds: a leader whose lease may have run out acts no more, even before
  // its step-down timer fires (a process that was frozen runs its I/O first): no send, no reply,
  // no webhook attempt.
  if (election) core.setActingCheck(() => election.holds());
  if (webhooks) registerWebhookMetrics(metrics, webhooks);
  if (journal) registerJournalMetrics(metrics, journal);
  const checks: ReadinessCheck[] = [
    {
      name: 'xmpp',
      check: () => {
        if (core.online) return Promise.resolve(undefined);
        const { state, lastError } = core.status().link;
        return Promise.resolve(lastError ? `link ${state}: ${lastError}` : `link ${state}`);
      },
    },
    ...(webhooks ? [databaseCheck(webhooks)] : []),
  ];
  const rest = createRestHandler({
    core,
    auth,
    cors,
    log,
    maxBodyBytes: config.rest.maxBodyBytes,
    iqTimeout: { defaultMs: config.iq.defaultTimeoutMs, maxMs: config.iq.maxTimeoutMs },
    maxArchiveResults: config.rest.maxArchiveResults,
  });
  const graphql = createGraphqlFace(config, core, auth, cors, log, webhooks, metrics, journal, () => role);
  const consoleMount = createConsoleMount(log);
  const mounts: Mount[] = [
    {
      matches: (path) => path === '/rest' || path.startsWith('/rest/'),
      handle: rest,
      refuseUnavailable: (req, res, why) => refuseUnavailable(req, res, why, { core }),
    },
    graphql.mount,
    consoleMount,
    createOpsMount(metrics, checks, auth, () => role, election ? [electionCheck(election)] : []),
  ];
  registerRoleMetrics(metrics, () => role, election && (() => election.lastError === undefined));
  const tracker = new RequestTracker();
  // Descriptors kept for what is not an HTTP client: the link, the database, webhook POSTs, files.
  const otherDescriptors = 256 + config.http.probeReserve + (webhooks ? config.webhook.concurrency : 0);
  const maxConnections = fitConnectionCap(config.http.maxConnections, otherDescriptors);
  if (maxConnections < config.http.maxConnections) {
    log.warn(
      { wanted: config.http.maxConnections, maxConnections },
      'HTTP_MAX_CONNECTIONS lowered to fit the open-file limit of this process (raise it with ulimit -n or LimitNOFILE)',
    );
  }
  const guard = new ConnectionGuard({ max: maxConnections, probeReserve: config.http.probeReserve });
  registerHttpMetrics(metrics, guard, graphql.quota);
  registerTokenMetrics(metrics, auth, graphql.quota);
  // Refusals by token name (never the secret): a misconfigured bot shows up in the log.
  auth.onDecision((token, operation, outcome) => {
    if (outcome === 'forbidden') log.info({ token, operation }, 'a token was refused an operation or address');
    else if (outcome === 'rate-limited') log.debug({ token, operation }, 'a token is past its rate');
  });
  logShedding(guard, log);
  const standby = () => !serves(role) || !core.mayAct();
  const server = createHttpServer(mounts, log, {
    tracker,
    guard,
    headersTimeoutMs: config.http.headersTimeoutMs,
    requestTimeoutMs: config.http.requestTimeoutMs,
    standby,
  });
  graphql.attach(server, standby);
  let stopping: Promise<void> | undefined;

  /** The parts that keep rows (the journal, the delivery log), before the link brings stanzas. */
  async function startServing(): Promise<void> {
    // Before the link comes up, so no inbound stanza arrives without its listener. The journal
    // first: on the embedded database the two share one open database, migrated once.
    await journal?.start();
    try {
      await webhooks?.start();
    } catch (error) {
      await journal?.stop();
      throw error;
    }
    serving = true;
  }

  /** Elected: what a single gateway does at start, now. */
  async function lead(): Promise<void> {
    try {
      await startServing();
    } catch (error) {
      log.error({ err: error }, 'elected, but the journal or the delivery log cannot start');
      return stepDown(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Lost (or stopping) while those started: the link never comes up here.
    if (election?.state !== 'leader' || stopping) return;
    role = 'leader';
    core.start();
  }

  /**
   * The lease is gone or may be: off the server and no more webhook attempts, within a sixth of
   * the lease (the election leaves a third before the lease can end), then tell main.ts.
   */
  async function stepDown(reason: string): Promise<void> {
    if (role === 'stepped-down') return;
    role = 'stepped-down';
    try {
      // All at once: no new webhook attempt (those in flight are cut), the link cut within a
      // sixth of the lease (half the time left before anybody else can take it over; nothing
      // waits for acknowledgements: their requests are answered 503), subscriptions ended.
      await Promise.all([
        serving ? webhooks?.drain(Date.now()) : undefined,
        core.stop({ ackWaitMs: 0, closeWithinMs: config.ha.leaseMs / 6 }),
        graphql.close(),
      ]);
      log.warn({ reason }, 'stepped down: the link is closed; another gateway takes over');
    } catch (error) {
      log.error({ err: error, reason }, 'stepping down failed in part');
    } finally {
      for (const listener of steppedDown) listener(reason);
    }
  }

  return {
    core,
    metrics,
    journal,
    webhooks,
    warmConsole: () => consoleMount.warm(),
    get role() {
      return role;
    },
    onSteppedDown(listener) {
      steppedDown.push(listener);
    },
    reloadTokens(definitions) {
      const { ended } = auth.reload(definitions);
      log.info(
        { tokens: definitions.map((definition) => definition.name), endedSubscriptions: ended },
        'scoped tokens reloaded',
      );
      return { tokens: definitions.length, ended };
    },
    async start() {
      // Alone, everything is ready before HTTP listens; a standby listens first (its probes
      // answer) and starts the rest once elected.
      if (!election) await startServing();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.http.port, config.http.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      const url = `http://${host}:${port}`;
      log.info({ url }, 'HTTP server listening');
      if (election) {
        election.once('elected', () => {
          leading = lead().catch((error: unknown) => log.error({ err: error }, 'could not lead'));
        });
        election.once('lost', (reason) => void stepDown(reason));
        election.start();
      } else {
        core.start();
      }
      return { url };
    },
    stop() {
      // Once: a signal and a test's teardown may both ask, and closing twice is an error.
      stopping ??= (async () => {
        const deadline = Date.now() + config.shutdownGraceMs;
        // A standby stops campaigning first: elected now, it would start what nobody stops.
        if (election && role === 'standby' && election.state !== 'leader') await election.stop();
        await leading;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Subscriptions end first (SSE streams are requests the drain would wait for); inbound
        // iqs left to subscribers get their reply while the link is still up.
        await graphql.close();
        // Requests in progress and webhook attempts in flight share the rest of the one grace
        // period; the link stays up meanwhile, so the outcomes of the attempts that finish (and
        // iq replies) still reach their senders.
        const [{ abandoned }] = await Promise.all([
          tracker.drain(Math.max(0, deadline - Date.now())),
          serving ? webhooks?.drain(deadline) : undefined,
        ]);
        if (abandoned > 0) log.warn({ abandoned }, 'stopped with requests still in progress');
        // Stanzas arriving until the stream is closed are logged pending (iqs are refused).
        await core.stop();
        if (serving) {
          await webhooks?.close();
          // After the link closed: every stanza that arrived is numbered and written.
          await journal?.stop();
        }
        // After the link closed: a standby takes over at once, and only then.
        await election?.stop();
        server.closeAllConnections();
        await closed;
        log.info('stopped');
      })();
      return stopping;
    },
  };
}

/** One warning per burst of shed connections (a flood would otherwise write a line per socket). */
function logShedding(guard: ConnectionGuard, log: Logger): void {
  let quietUntil = 0;
  guard.onShed(() => {
    const now = Date.now();
    if (now < quietUntil) return;
    quietUntil = now + 10_000;
    log.warn({ maxConnections: guard.max, ...guard.shed }, 'HTTP connection cap reached: shedding connections');
  });
}
