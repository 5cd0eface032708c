import type { z } from 'zod';
import {
  bearerTokens,
  callbackBodyFormat,
  callbackUrl,
  componentDomain,
  nonEmpty,
  oneOf,
  origins,
  postgresUrl,
  stanzaKindList,
  webhookSecrets,
  wholeNumber,
  xmppService,
} from './setting-parsers.ts';
import { scopedTokens, sha256, type TokenDefinition } from './auth/token-definitions.ts';

/**
 * Every setting of the gateway, one row each: the only place a setting is declared. The `Config`
 * type and `loadConfig` (src/config.ts), `--help` and the README's configuration table
 * (src/config-help.ts; `npm run docs` rewrites the README part) are derived from it.
 *
 * To add a setting, add one row here:
 *   NEW_SETTING_MS: {
 *     path: 'part.newSettingMs',           // where the value lands in Config (dot-separated)
 *     schema: wholeNumber(1, 600_000),     // from setting-parsers.ts: messages are sentences
 *     default: '5000',                     // as written in the environment; or `required: true`,
 *                                          // or `optional: true` (undefined when unset)
 *     group: 'Webhooks',                   // the heading it is listed under
 *     help: 'what it does, for `--help` and the README (Markdown backticks allowed)',
 *   },
 * then run `npm run docs` and read `config.part.newSettingMs` where it is needed.
 * `secret: true` keeps the value out of error messages. A rule between two settings (min ≤ max)
 * goes in `crossChecks` below.
 */
export const GROUPS = [
  'XMPP link',
  'HTTP',
  'iq',
  'GraphQL',
  'Webhooks',
  'Delivery log',
  'Inbound journal',
  'High availability',
  'Process',
] as const;

interface SettingBase {
  path: string;
  schema: z.ZodType;
  group: (typeof GROUPS)[number];
  help: string;
  secret?: true;
  /** A list or mapping in a config file (JSON text in the environment). */
  structured?: true;
}
export type Setting = SettingBase & ({ default: string } | { required: true } | { optional: true });

export const settings = {
  XMPP_SERVICE: {
    path: 'xmpp.service',
    schema: xmppService,
    default: 'xmpp://127.0.0.1:5347',
    group: 'XMPP link',
    help: 'component endpoint of the XMPP server (`xmpp://host:port`)',
  },
  XMPP_DOMAIN: {
    path: 'xmpp.domain',
    schema: componentDomain,
    required: true,
    group: 'XMPP link',
    help: "the component's domain, e.g. `rest.example.net`",
  },
  XMPP_SECRET: {
    path: 'xmpp.secret',
    schema: nonEmpty(),
    required: true,
    secret: true,
    group: 'XMPP link',
    help: 'the component secret',
  },
  XMPP_SEND_DEADLINE_MS: {
    path: 'xmpp.sendDeadlineMs',
    schema: wholeNumber(1, 600_000),
    default: '10000',
    group: 'XMPP link',
    help: 'how long a send waits for a link that is down before failing with 503',
  },
  XMPP_SEND_QUEUE_MAX: {
    path: 'xmpp.sendQueueMax',
    schema: wholeNumber(1, 1_000_000),
    default: '10000',
    group: 'XMPP link',
    help: 'how many sends may wait for the link at once (beyond: 503 at once)',
  },
  XMPP_RECONNECT_MIN_MS: {
    path: 'xmpp.reconnectMinMs',
    schema: wholeNumber(1, 600_000),
    default: '500',
    group: 'XMPP link',
    help:
      'first reconnect delay (it doubles after each failure, with jitter); while nothing listens on the ' +
      "server's port, every attempt waits this long, so the link is back within it of the server listening",
  },
  XMPP_RECONNECT_MAX_MS: {
    path: 'xmpp.reconnectMaxMs',
    schema: wholeNumber(1, 3_600_000),
    default: '30000',
    group: 'XMPP link',
    help: 'longest reconnect delay',
  },
  // Below Prosody's component_stanza_size_limit (512 KiB) and the c2s limits of Prosody and
  // ejabberd's shipped config (256 KiB); ejabberd_service's own max_stanza_size is unlimited.
  XMPP_MAX_STANZA_BYTES: {
    path: 'xmpp.maxStanzaBytes',
    schema: wholeNumber(4096, 16 * 1024 * 1024),
    default: String(256 * 1024),
    group: 'XMPP link',
    help:
      'largest stanza written to the XMPP server, counted once serialised (escapes included); larger ones ' +
      'are refused (`413`, GraphQL `STANZA_TOO_LARGE`) before anything is written. Keep it below the ' +
      "server's limit: Prosody's `component_stanza_size_limit` is 512 KiB; ejabberd's `ejabberd_service` " +
      'has none unless `max_stanza_size` is set',
  },
  XMPP_ACK_WINDOW: {
    path: 'xmpp.ackWindow',
    schema: wholeNumber(1, 100_000),
    default: '256',
    group: 'XMPP link',
    help:
      'stanzas written to the XMPP server and not yet acknowledged by it, at most; past it sends wait (up to ' +
      '`XMPP_SEND_DEADLINE_MS`)',
  },
  XMPP_PING_INTERVAL_MS: {
    path: 'xmpp.pingIntervalMs',
    schema: wholeNumber(1, 3_600_000),
    default: '30000',
    group: 'XMPP link',
    help: 'ping the XMPP server after this long without hearing from it',
  },
  XMPP_PING_TIMEOUT_MS: {
    path: 'xmpp.pingTimeoutMs',
    schema: wholeNumber(1, 600_000),
    default: '10000',
    group: 'XMPP link',
    help:
      'a ping (or the acknowledgement of a batch) unanswered this long: the link is dropped and reconnected, ' +
      'iqs waiting for their reply fail with `503` at once',
  },
  XMPP_STANDBY_RETRY_MS: {
    path: 'xmpp.standbyRetryMs',
    schema: wholeNumber(1, 3_600_000),
    default: '10000',
    group: 'XMPP link',
    help:
      'while another connection serves the component domain: how often this gateway checks whether it is gone ' +
      '(or connects again, where the server refuses a second connection); see "One link per domain"',
  },
  XMPP_LINK_CHECK_TIMEOUT_MS: {
    path: 'xmpp.linkCheckTimeoutMs',
    schema: wholeNumber(1, 600_000),
    default: '5000',
    group: 'XMPP link',
    help:
      'how long the probes of one link check may take; probes still missing then mean another connection ' +
      'serves the domain',
  },
  HTTP_HOST: {
    path: 'http.host',
    schema: nonEmpty(),
    default: '127.0.0.1',
    group: 'HTTP',
    help: 'HTTP listen address',
  },
  HTTP_PORT: {
    path: 'http.port',
    schema: wholeNumber(0, 65_535),
    default: '8080',
    group: 'HTTP',
    help: 'HTTP listen port (`0`: any free port)',
  },
  API_TOKENS: {
    path: 'auth.tokens',
    schema: bearerTokens,
    optional: true,
    secret: true,
    group: 'HTTP',
    help:
      'accepted bearer tokens for `/rest` and `/graphql`, comma-separated, each at least 16 characters, each ' +
      'with every right; required unless `API_SCOPED_TOKENS` defines a token',
  },
  API_SCOPED_TOKENS: {
    path: 'auth.scopedTokens',
    schema: scopedTokens,
    default: '[]',
    secret: true,
    structured: true,
    group: 'HTTP',
    help:
      'tokens with a scope, a list in the config file (JSON in the environment), re-read on SIGHUP: each has a ' +
      '`name` (for logs and metrics), a `token` or its `hash` (`sha256:<hex>`), `from` (the addresses it may send ' +
      'as), `see` (the inbound stanzas its subscriptions get; default: `from`), `can` (`send`, `iq`, `subscribe`, ' +
      '`deliveries`, `redeliver`, `status`) and optionally `rate` (`{ perSecond, burst }`); see "Scoped tokens" in ' +
      'the README',
  },
  CORS_ORIGINS: {
    path: 'http.corsOrigins',
    schema: origins,
    default: '',
    group: 'HTTP',
    help: 'browser origins allowed to call `/rest` and `/graphql`, comma-separated (`*` for any)',
  },
  HTTP_MAX_CONNECTIONS: {
    path: 'http.maxConnections',
    schema: wholeNumber(1, 1_000_000),
    default: '10000',
    group: 'HTTP',
    help:
      'open HTTP connections, WebSockets included; at the cap the longest-idle connection is closed for a new ' +
      'one, and when none is idle new ones are refused; lowered at start to fit the open-file limit',
  },
  HTTP_PROBE_RESERVE: {
    path: 'http.probeReserve',
    schema: wholeNumber(0, 1000),
    default: '16',
    group: 'HTTP',
    help: 'connections accepted past `HTTP_MAX_CONNECTIONS` for `/healthz`, `/readyz` and `/metrics` only',
  },
  HTTP_HEADERS_TIMEOUT_MS: {
    path: 'http.headersTimeoutMs',
    schema: wholeNumber(1, 600_000),
    default: '10000',
    group: 'HTTP',
    help: "time for a request's headers; then `408` and the connection is closed",
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    path: 'http.requestTimeoutMs',
    schema: wholeNumber(1, 3_600_000),
    default: '60000',
    group: 'HTTP',
    help: 'time for a whole request, body included; then `408` and the connection is closed',
  },
  REST_MAX_BODY_BYTES: {
    path: 'rest.maxBodyBytes',
    schema: wholeNumber(1, 64 * 1024 * 1024),
    default: String(192 * 1024),
    group: 'HTTP',
    help: 'largest accepted `/rest` body (192 KiB); larger ones get 413 without being read',
  },
  REST_MAX_ARCHIVE_RESULTS: {
    path: 'rest.maxArchiveResults',
    schema: wholeNumber(1, 1_000_000),
    default: '1000',
    group: 'HTTP',
    help: 'result messages an archive query (MAM) may collect into one `/rest` reply (more get 502), and the largest GraphQL `archive` page',
  },
  IQ_TIMEOUT_MS: {
    path: 'iq.defaultTimeoutMs',
    schema: wholeNumber(1, 300_000),
    default: '120000',
    group: 'iq',
    help: "default wait for an iq reply (mod_rest's default)",
  },
  IQ_MAX_TIMEOUT_MS: {
    path: 'iq.maxTimeoutMs',
    schema: wholeNumber(1, 3_600_000),
    default: '300000',
    group: 'iq',
    help: 'the most a request may ask for with `Prosody-Rest-Timeout`',
  },
  IQ_ANSWER_TIMEOUT_MS: {
    path: 'iq.answerTimeoutMs',
    schema: wholeNumber(1, 300_000),
    default: '10000',
    group: 'iq',
    help:
      'how long an inbound iq left to GraphQL subscribers waits for their reply before the gateway answers ' +
      '`wait/remote-server-timeout`',
  },
  SUBSCRIPTION_BUFFER_MAX: {
    path: 'graphql.subscriptionBufferMax',
    schema: wholeNumber(1, 1_000_000),
    default: '1000',
    group: 'GraphQL',
    help: 'stanzas buffered per GraphQL subscription; a subscriber that falls this far behind has it ended',
  },
  GRAPHQL_MAX_DEPTH: {
    path: 'graphql.maxDepth',
    schema: wholeNumber(1, 1000),
    default: '16',
    group: 'GraphQL',
    help: 'GraphQL query depth limit',
  },
  GRAPHQL_MAX_COST: {
    path: 'graphql.maxCost',
    schema: wholeNumber(1, 10_000_000),
    default: '20000',
    group: 'GraphQL',
    help: 'GraphQL query cost limit',
  },
  GRAPHQL_MAX_BODY_BYTES: {
    path: 'graphql.maxBodyBytes',
    schema: wholeNumber(1, 64 * 1024 * 1024),
    default: String(192 * 1024),
    group: 'GraphQL',
    help: 'largest GraphQL request body (`413` past it) and graphql-ws message (socket closed with `1009`)',
  },
  GRAPHQL_HTTP_FAST_PATH: {
    path: 'graphql.httpFastPath',
    schema: oneOf(['on', 'off']),
    default: 'on',
    group: 'GraphQL',
    help:
      '`on` answers a plain JSON POST of a query or mutation through the same GraphQL pipeline without ' +
      "yoga's fetch layer (the same answers at a lower cost per request); `off` sends every request through yoga",
  },
  SUBSCRIPTIONS_MAX: {
    path: 'graphql.subscriptionsMax',
    schema: wholeNumber(1, 10_000_000),
    default: '20000',
    group: 'GraphQL',
    help: 'GraphQL subscriptions open at once, all tokens together (`SUBSCRIPTION_LIMIT` past it)',
  },
  SUBSCRIPTIONS_PER_TOKEN_MAX: {
    path: 'graphql.subscriptionsPerTokenMax',
    schema: wholeNumber(1, 10_000_000),
    default: '10000',
    group: 'GraphQL',
    help: 'GraphQL subscriptions open at once with one token (`TOKEN_SUBSCRIPTION_LIMIT` past it)',
  },
  CALLBACK_URL: {
    path: 'callbackUrl',
    schema: callbackUrl,
    optional: true,
    secret: true,
    group: 'Webhooks',
    help:
      "webhook for inbound stanzas (mod_rest's `rest_callback_url`); `{kind}`, `{type}`, `{to}`, `{from}` in " +
      'its path or query are filled per stanza; unset: no webhook and no delivery log',
  },
  WEBHOOK_FORMAT: {
    path: 'webhook.format',
    schema: callbackBodyFormat,
    default: 'xml',
    group: 'Webhooks',
    help:
      "callback body format: `xml`, `json` or `form` (mod_rest's `rest_callback_content_type`; an `Accept` in " +
      'the 200 to the `OPTIONS` probe at start picks another)',
  },
  WEBHOOK_STANZA_KINDS: {
    path: 'webhook.kinds',
    schema: stanzaKindList,
    default: 'message,presence,iq',
    group: 'Webhooks',
    help: "stanza kinds POSTed to the callback, comma-separated (mod_rest's `rest_callback_stanzas`)",
  },
  WEBHOOK_SECRET: {
    path: 'webhook.secrets',
    schema: webhookSecrets,
    optional: true,
    secret: true,
    group: 'Webhooks',
    help: '`whsec_<base64>` signing key(s); two (space or comma) while rotating; unset: unsigned',
  },
  WEBHOOK_TIMEOUT_MS: {
    path: 'webhook.timeoutMs',
    schema: wholeNumber(1, 300_000),
    default: '10000',
    group: 'Webhooks',
    help: 'limit for one webhook POST, body included',
  },
  WEBHOOK_CONCURRENCY: {
    path: 'webhook.concurrency',
    schema: wholeNumber(1, 10_000),
    default: '64',
    group: 'Webhooks',
    help: 'webhook POSTs in flight at once',
  },
  WEBHOOK_QUEUE_MAX: {
    path: 'webhook.queueMax',
    schema: wholeNumber(1, 10_000_000),
    default: '10000',
    group: 'Webhooks',
    help:
      'deliveries held in memory (queued, in flight, waiting for a retry); past it messages and presences ' +
      'wait as rows in the delivery log, iqs get `wait/resource-constraint` at once',
  },
  WEBHOOK_RETRY_MAX_ATTEMPTS: {
    path: 'webhook.retry.maxAttempts',
    schema: wholeNumber(1, 100),
    default: '8',
    group: 'Webhooks',
    help: 'attempts in all for a message or presence',
  },
  WEBHOOK_RETRY_WINDOW_MS: {
    path: 'webhook.retry.windowMs',
    schema: wholeNumber(1, 7 * 24 * 3_600_000),
    default: '600000',
    group: 'Webhooks',
    help: 'no attempt later than this after arrival',
  },
  WEBHOOK_RETRY_MIN_MS: {
    path: 'webhook.retry.minDelayMs',
    schema: wholeNumber(1, 3_600_000),
    default: '1000',
    group: 'Webhooks',
    help: 'first retry delay (it doubles, with jitter; `Retry-After` is honoured)',
  },
  WEBHOOK_RETRY_MAX_MS: {
    path: 'webhook.retry.maxDelayMs',
    schema: wholeNumber(1, 24 * 3_600_000),
    default: '60000',
    group: 'Webhooks',
    help: 'largest retry delay',
  },
  WEBHOOK_RESPONSE_EXCERPT_BYTES: {
    path: 'webhook.responseExcerptBytes',
    schema: wholeNumber(0, 1024 * 1024),
    default: '4096',
    group: 'Webhooks',
    help: 'response body kept per attempt in the delivery log',
  },
  DATABASE_URL: {
    path: 'databaseUrl',
    schema: postgresUrl,
    optional: true,
    secret: true,
    group: 'Delivery log',
    help: 'Postgres URL for the delivery log and the inbound journal; unset: the embedded database under `DATA_DIR`',
  },
  DATA_DIR: {
    path: 'deliveryLog.dataDir',
    schema: nonEmpty(),
    default: './data',
    group: 'Delivery log',
    help: 'where the embedded database lives; one gateway process at a time (it is locked while open)',
  },
  DELIVERY_RETENTION_DAYS: {
    path: 'deliveryLog.retentionDays',
    schema: wholeNumber(0, 36_500),
    default: '30',
    group: 'Delivery log',
    help: 'finished delivery log rows older than this are pruned; `0` keeps all',
  },
  DELIVERY_LOG_BUFFER_MAX: {
    path: 'deliveryLog.bufferMax',
    schema: wholeNumber(1, 10_000_000),
    default: '100000',
    group: 'Delivery log',
    help: 'delivery log writes held in memory while the database is unreachable',
  },
  INBOUND_JOURNAL_DAYS: {
    path: 'journal.retentionDays',
    schema: wholeNumber(0, 36_500),
    default: '0',
    group: 'Inbound journal',
    help:
      'keep every inbound stanza this many days in the database of `DATABASE_URL`/`DATA_DIR`, so that ' +
      '`stanzas(after:)` resumes from a cursor and `inboundStanzas` pages the history; `0` (the default): off',
  },
  INBOUND_JOURNAL_BUFFER_MAX: {
    path: 'journal.bufferMax',
    schema: wholeNumber(1, 10_000_000),
    default: '100000',
    group: 'Inbound journal',
    help: 'journal rows held in memory while the database is unreachable; past it the oldest are dropped',
  },
  HA_ELECTION: {
    path: 'ha.election',
    schema: oneOf(['on', 'off']),
    default: 'off',
    group: 'High availability',
    help:
      '`on`: gateways with the same `XMPP_DOMAIN` and `DATABASE_URL` elect one leader through Postgres; only ' +
      'the leader connects the link and delivers webhooks, the others stand by (`/readyz` 503) and take over when ' +
      'it goes. Needs `DATABASE_URL`',
  },
  HA_LEASE_MS: {
    path: 'ha.leaseMs',
    schema: wholeNumber(1000, 60_000),
    default: '3000',
    group: 'High availability',
    help:
      "the leader's lease: renewed every quarter of it; a leader that cannot renew steps down a third of it " +
      'before it ends, and a standby takes over once it has ended (so after the leader dies, within this plus a twentieth)',
  },
  LOG_LEVEL: {
    path: 'logLevel',
    schema: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    group: 'Process',
    help: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  },
  SHUTDOWN_GRACE_MS: {
    path: 'shutdownGraceMs',
    schema: wholeNumber(1, 600_000),
    default: '10000',
    group: 'Process',
    help:
      'on SIGTERM/SIGINT, how long requests in progress (iq long-polls) and webhook attempts in flight may ' + 'finish',
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof settings;

/** Rules between settings, checked once each setting they read is valid on its own. */
export interface CrossCheck {
  setting: SettingName;
  reads: readonly SettingName[];
  holds: (values: Partial<Record<SettingName, unknown>>) => boolean;
  message: (values: Partial<Record<SettingName, unknown>>) => string;
}

/** `larger` must not be below `smaller` (a cap below its first step would be no cap). */
function notBelow(larger: SettingName, smaller: SettingName): CrossCheck {
  return {
    setting: larger,
    reads: [larger, smaller],
    holds: (values) => Number(values[larger]) >= Number(values[smaller]),
    message: (values) => `must not be smaller than ${smaller} (${String(values[smaller])})`,
  };
}

export const crossChecks: readonly CrossCheck[] = [
  {
    setting: 'API_TOKENS',
    reads: ['API_TOKENS', 'API_SCOPED_TOKENS'],
    holds: (values) => values.API_TOKENS !== undefined || (values.API_SCOPED_TOKENS as unknown[]).length > 0,
    // As when it was required: without scoped tokens, nothing else could call the APIs.
    message: () => 'is required but not set',
  },
  {
    setting: 'API_SCOPED_TOKENS',
    reads: ['API_TOKENS', 'API_SCOPED_TOKENS'],
    holds: (values) => sharedSecret(values) === undefined,
    message: (values) => `token "${sharedSecret(values)}" has the same secret as an API_TOKENS entry`,
  },
  {
    setting: 'API_SCOPED_TOKENS',
    reads: ['XMPP_DOMAIN', 'API_SCOPED_TOKENS'],
    holds: (values) => foreignPatterns(values).length === 0,
    message: (values) =>
      `has address patterns outside XMPP_DOMAIN (${String(values.XMPP_DOMAIN)}): ${foreignPatterns(values).join(', ')}`,
  },
  {
    setting: 'HA_ELECTION',
    reads: ['HA_ELECTION', 'DATABASE_URL'],
    holds: (values) => values.HA_ELECTION !== 'on' || values.DATABASE_URL !== undefined,
    // The embedded database is one process's: there is nothing for a second one to share.
    message: () =>
      'is on but DATABASE_URL is not set: the election runs in Postgres (the embedded database serves one process)',
  },
  notBelow('XMPP_RECONNECT_MAX_MS', 'XMPP_RECONNECT_MIN_MS'),
  notBelow('IQ_MAX_TIMEOUT_MS', 'IQ_TIMEOUT_MS'),
  notBelow('WEBHOOK_RETRY_MAX_MS', 'WEBHOOK_RETRY_MIN_MS'),
  notBelow('HTTP_REQUEST_TIMEOUT_MS', 'HTTP_HEADERS_TIMEOUT_MS'),
];

/** The name of a scoped token whose secret is also in API_TOKENS (which one would it be?). */
function sharedSecret(values: Partial<Record<SettingName, unknown>>): string | undefined {
  const plain = new Set(
    ((values.API_TOKENS as string[] | undefined) ?? []).map((token) => sha256(token).toString('hex')),
  );
  return (values.API_SCOPED_TOKENS as TokenDefinition[]).find((token) => plain.has(token.digest.toString('hex')))?.name;
}

/** `token "bot1": from bot1@elsewhere`: patterns no stanza of this component could match. */
function foreignPatterns(values: Partial<Record<SettingName, unknown>>): string[] {
  const domain = String(values.XMPP_DOMAIN);
  return (values.API_SCOPED_TOKENS as TokenDefinition[]).flatMap((token) =>
    (['from', 'see'] as const).flatMap((key) => {
      const scope = token[key];
      if (scope === 'all') return [];
      return scope.filter((pattern) => pattern.domain !== domain).map((p) => `token "${token.name}": ${key} ${p.text}`);
    }),
  );
}
