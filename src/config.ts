import { z } from 'zod';
import { parseJid } from './xmpp/jid.ts';

/**
 * One typed, validated configuration object. Every setting has exactly one environment name
 * (DESIGN.md's names are a public contract); README.md documents all of them.
 */
export interface Config {
  xmpp: {
    service: string;
    domain: string;
    secret: string;
    /** How long an outbound send waits for the link before failing with 503. */
    sendDeadlineMs: number;
    /** How many outbound stanzas may wait while the link is down or busy. */
    sendQueueMax: number;
    reconnectMinMs: number;
    reconnectMaxMs: number;
    /** While another connection serves the domain: how often to check whether it is gone. */
    standbyRetryMs: number;
    /** How long the probes of one link check may take. */
    linkCheckTimeoutMs: number;
    /** Stanzas written but not yet acknowledged by the server, at most. */
    ackWindow: number;
    /** Quiet this long: ping the server. */
    pingIntervalMs: number;
    /** A ping or acknowledgement unanswered this long: the link is dead. */
    pingTimeoutMs: number;
    /**
     * The largest stanza written to the XMPP server, in bytes once serialised (the wire check in
     * src/xmpp/codec/wire-check.ts); below the server's own limit, which closes the stream.
     */
    maxStanzaBytes: number;
  };
  http: {
    host: string;
    port: number;
    corsOrigins: string[];
  };
  auth: {
    tokens: string[];
  };
  rest: {
    maxBodyBytes: number;
  };
  iq: {
    defaultTimeoutMs: number;
    maxTimeoutMs: number;
    /** How long an inbound iq taken by GraphQL subscribers waits for their reply (CONTRACT.md). */
    answerTimeoutMs: number;
  };
  graphql: {
    /** Events buffered per subscription before a slow subscriber's subscription is ended. */
    subscriptionBufferMax: number;
    maxDepth: number;
    maxCost: number;
  };
  callbackUrl: string | undefined;
  databaseUrl: string | undefined;
  /** Webhook delivery (docs/webhooks.md); used only when callbackUrl is set. */
  webhook: WebhookSettings;
  /** The delivery log's embedded database and retention (docs/webhooks.md). */
  deliveryLog: DeliveryLogSettings;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long a stop waits for requests in progress (iq long-polls) and webhook attempts in flight. */
  shutdownGraceMs: number;
}

export interface WebhookSettings {
  /** Standard Webhooks signing keys (base64-decoded); two while a secret is being rotated. */
  secrets: Buffer[];
  timeoutMs: number;
  concurrency: number;
  /** Deliveries held in memory at once; past it messages/presences wait as log rows, iqs are refused. */
  queueMax: number;
  retry: { maxAttempts: number; windowMs: number; minDelayMs: number; maxDelayMs: number };
  responseExcerptBytes: number;
}

export interface DeliveryLogSettings {
  /** Where the embedded database lives when DATABASE_URL is unset. */
  dataDir: string;
  /** Rows older than this are pruned; 0 keeps them forever. */
  retentionDays: number;
  /** Log writes held in memory while the database is unreachable. */
  bufferMax: number;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const xmppService = z.string().regex(/^xmpp:\/\/[^/:]+(:\d{1,5})?\/?$/, 'must look like xmpp://host:port');

const domain = z.string().refine((value) => {
  const jid = parseJid(value);
  return jid !== undefined && jid.local === undefined && jid.resource === undefined;
}, 'must be a bare domain such as rest.example.net');

const tokens = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((token) => token.trim())
      .filter((token) => token !== ''),
  )
  .refine((list) => list.length > 0, 'needs at least one token')
  .refine((list) => list.every((token) => token.length >= 16), 'every token must be at least 16 characters');

const url = z.string().refine((value) => {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const databaseUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL');

// Standard Webhooks secrets: `whsec_` + base64 key; space- or comma-separated, at most two.
const webhookSecrets = z
  .string()
  .transform((value) => value.split(/[\s,]+/).filter((secret) => secret !== ''))
  .refine((list) => list.length >= 1 && list.length <= 2, 'one secret, or two while rotating')
  .refine(
    (list) => list.every((secret) => /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)),
    'each secret must be whsec_ followed by base64',
  )
  .transform((list) => list.map((secret) => Buffer.from(secret.slice('whsec_'.length), 'base64')))
  .refine((keys) => keys.every((key) => key.length >= 16), 'each key must decode to at least 16 bytes');

const origins = z.string().transform((value) =>
  value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== ''),
);

/** Each entry: the environment name, its parser, and its default (undefined = required). */
const settings = {
  XMPP_SERVICE: [xmppService, 'xmpp://127.0.0.1:5347'],
  XMPP_DOMAIN: [domain, undefined],
  XMPP_SECRET: [z.string().min(1), undefined],
  XMPP_SEND_DEADLINE_MS: [positiveInt(600_000), '10000'],
  XMPP_SEND_QUEUE_MAX: [positiveInt(1_000_000), '10000'],
  XMPP_RECONNECT_MIN_MS: [positiveInt(600_000), '500'],
  XMPP_RECONNECT_MAX_MS: [positiveInt(3_600_000), '30000'],
  XMPP_STANDBY_RETRY_MS: [positiveInt(3_600_000), '10000'],
  XMPP_LINK_CHECK_TIMEOUT_MS: [positiveInt(600_000), '5000'],
  XMPP_ACK_WINDOW: [positiveInt(100_000), '256'],
  XMPP_PING_INTERVAL_MS: [positiveInt(3_600_000), '30000'],
  XMPP_PING_TIMEOUT_MS: [positiveInt(600_000), '10000'],
  // Below Prosody's component_stanza_size_limit (512 KiB) and the c2s limits of Prosody and
  // ejabberd's shipped config (256 KiB); ejabberd_service's own max_stanza_size is unlimited.
  XMPP_MAX_STANZA_BYTES: [
    z.coerce
      .number()
      .int()
      .min(4096)
      .max(16 * 1024 * 1024),
    String(256 * 1024),
  ],
  HTTP_HOST: [z.string().min(1), '127.0.0.1'],
  HTTP_PORT: [z.coerce.number().int().min(0).max(65535), '8080'],
  CORS_ORIGINS: [origins, ''],
  API_TOKENS: [tokens, undefined],
  REST_MAX_BODY_BYTES: [positiveInt(64 * 1024 * 1024), String(192 * 1024)],
  IQ_TIMEOUT_MS: [positiveInt(300_000), '120000'],
  IQ_MAX_TIMEOUT_MS: [positiveInt(3_600_000), '300000'],
  IQ_ANSWER_TIMEOUT_MS: [positiveInt(300_000), '10000'],
  SUBSCRIPTION_BUFFER_MAX: [positiveInt(1_000_000), '1000'],
  GRAPHQL_MAX_DEPTH: [positiveInt(1000), '16'],
  GRAPHQL_MAX_COST: [positiveInt(10_000_000), '20000'],
  CALLBACK_URL: [url, null],
  DATABASE_URL: [databaseUrl, null],
  WEBHOOK_SECRET: [webhookSecrets, null],
  WEBHOOK_TIMEOUT_MS: [positiveInt(300_000), '10000'],
  WEBHOOK_CONCURRENCY: [positiveInt(10_000), '64'],
  WEBHOOK_QUEUE_MAX: [positiveInt(10_000_000), '10000'],
  WEBHOOK_RETRY_MAX_ATTEMPTS: [positiveInt(100), '8'],
  WEBHOOK_RETRY_WINDOW_MS: [positiveInt(7 * 24 * 3_600_000), '600000'],
  WEBHOOK_RETRY_MIN_MS: [positiveInt(3_600_000), '1000'],
  WEBHOOK_RETRY_MAX_MS: [positiveInt(24 * 3_600_000), '60000'],
  WEBHOOK_RESPONSE_EXCERPT_BYTES: [
    z.coerce
      .number()
      .int()
      .min(0)
      .max(1024 * 1024),
    '4096',
  ],
  DATA_DIR: [z.string().min(1), './data'],
  DELIVERY_RETENTION_DAYS: [z.coerce.number().int().min(0).max(36_500), '30'],
  DELIVERY_LOG_BUFFER_MAX: [positiveInt(10_000_000), '100000'],
  LOG_LEVEL: [z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'],
  SHUTDOWN_GRACE_MS: [positiveInt(600_000), '10000'],
} as const satisfies Record<string, readonly [z.ZodType, string | null | undefined]>;

type Settings = typeof settings;
type Parsed = {
  [K in keyof Settings]: Settings[K][1] extends null ? z.output<Settings[K][0]> | undefined : z.output<Settings[K][0]>;
};

export type SettingName = keyof Settings;

/** The documented settings, for `--help`, config files and the README check. */
export const settingNames = Object.keys(settings) as SettingName[];

/** A setting's default as written in the environment; undefined = required, null = unset. */
export function settingDefault(name: SettingName): string | null | undefined {
  return settings[name][1];
}

function read<K extends keyof Settings>(env: Env, name: K): Parsed[K] {
  const [schema, fallback] = settings[name];
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    if (fallback === undefined) throw new ConfigError(name, 'is required but not set');
    if (fallback === null) return undefined as Parsed[K];
    return (schema as z.ZodType).parse(fallback) as Parsed[K];
  }
  const result = (schema as z.ZodType).safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(name, issue?.message ?? 'is invalid');
  }
  return result.data as Parsed[K];
}

/** Reads and validates the configuration; throws ConfigError naming the first bad setting. */
export function loadConfig(env: Env = process.env): Config {
  const get = <K extends keyof Settings>(name: K) => read(env, name);
  const reconnectMinMs = get('XMPP_RECONNECT_MIN_MS');
  const reconnectMaxMs = get('XMPP_RECONNECT_MAX_MS');
  if (reconnectMaxMs < reconnectMinMs) {
    throw new ConfigError('XMPP_RECONNECT_MAX_MS', 'must not be smaller than XMPP_RECONNECT_MIN_MS');
  }
  const retryMinMs = get('WEBHOOK_RETRY_MIN_MS');
  const retryMaxMs = get('WEBHOOK_RETRY_MAX_MS');
  if (retryMaxMs < retryMinMs) {
    throw new ConfigError('WEBHOOK_RETRY_MAX_MS', 'must not be smaller than WEBHOOK_RETRY_MIN_MS');
  }
  const defaultTimeoutMs = get('IQ_TIMEOUT_MS');
  const maxTimeoutMs = get('IQ_MAX_TIMEOUT_MS');
  if (maxTimeoutMs < defaultTimeoutMs) {
    throw new ConfigError('IQ_MAX_TIMEOUT_MS', 'must not be smaller than IQ_TIMEOUT_MS');
  }
  return {
    xmpp: {
      service: get('XMPP_SERVICE'),
      domain: parseJid(get('XMPP_DOMAIN'))!.toString(),
      secret: get('XMPP_SECRET'),
      sendDeadlineMs: get('XMPP_SEND_DEADLINE_MS'),
      sendQueueMax: get('XMPP_SEND_QUEUE_MAX'),
      reconnectMinMs,
      reconnectMaxMs,
      standbyRetryMs: get('XMPP_STANDBY_RETRY_MS'),
      linkCheckTimeoutMs: get('XMPP_LINK_CHECK_TIMEOUT_MS'),
      ackWindow: get('XMPP_ACK_WINDOW'),
      pingIntervalMs: get('XMPP_PING_INTERVAL_MS'),
      pingTimeoutMs: get('XMPP_PING_TIMEOUT_MS'),
      maxStanzaBytes: get('XMPP_MAX_STANZA_BYTES'),
    },
    http: {
      host: get('HTTP_HOST'),
      port: get('HTTP_PORT'),
      corsOrigins: get('CORS_ORIGINS'),
    },
    auth: { tokens: get('API_TOKENS') },
    rest: { maxBodyBytes: get('REST_MAX_BODY_BYTES') },
    iq: { defaultTimeoutMs, maxTimeoutMs, answerTimeoutMs: get('IQ_ANSWER_TIMEOUT_MS') },
    graphql: {
      subscriptionBufferMax: get('SUBSCRIPTION_BUFFER_MAX'),
      maxDepth: get('GRAPHQL_MAX_DEPTH'),
      maxCost: get('GRAPHQL_MAX_COST'),
    },
    callbackUrl: get('CALLBACK_URL'),
    databaseUrl: get('DATABASE_URL'),
    webhook: {
      secrets: get('WEBHOOK_SECRET') ?? [],
      timeoutMs: get('WEBHOOK_TIMEOUT_MS'),
      concurrency: get('WEBHOOK_CONCURRENCY'),
      queueMax: get('WEBHOOK_QUEUE_MAX'),
      retry: {
        maxAttempts: get('WEBHOOK_RETRY_MAX_ATTEMPTS'),
        windowMs: get('WEBHOOK_RETRY_WINDOW_MS'),
        minDelayMs: retryMinMs,
        maxDelayMs: retryMaxMs,
      },
      responseExcerptBytes: get('WEBHOOK_RESPONSE_EXCERPT_BYTES'),
    },
    deliveryLog: {
      dataDir: get('DATA_DIR'),
      retentionDays: get('DELIVERY_RETENTION_DAYS'),
      bufferMax: get('DELIVERY_LOG_BUFFER_MAX'),
    },
    logLevel: get('LOG_LEVEL'),
    shutdownGraceMs: get('SHUTDOWN_GRACE_MS'),
  };
}
