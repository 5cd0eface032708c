import { type SettingName, settingDefault, settingNames } from './config.ts';

/** One line per setting for `--help`; the README's configuration table says the same. */
const help = {
  XMPP_SERVICE: 'component endpoint of the XMPP server (xmpp://host:port)',
  XMPP_DOMAIN: "the component's domain, e.g. rest.example.net",
  XMPP_SECRET: 'the component secret',
  XMPP_SEND_DEADLINE_MS: 'how long a send waits for a link that is down before failing with 503',
  XMPP_SEND_QUEUE_MAX: 'how many sends may wait for the link at once',
  XMPP_RECONNECT_MIN_MS:
    'first reconnect delay (doubles, with jitter); while nothing listens on the port, every attempt waits this long',
  XMPP_RECONNECT_MAX_MS: 'longest reconnect delay',
  XMPP_STANDBY_RETRY_MS:
    'while another connection serves the component domain: how often to check whether it is gone (or to connect again, on servers that refuse a second connection)',
  XMPP_LINK_CHECK_TIMEOUT_MS:
    'how long the probes of one link check may take; probes still missing then mean another connection serves the domain',
  XMPP_ACK_WINDOW:
    'stanzas written to the XMPP server and not yet acknowledged, at most; past it sends wait (up to XMPP_SEND_DEADLINE_MS)',
  XMPP_PING_INTERVAL_MS: 'ping the XMPP server after this long without hearing from it',
  XMPP_PING_TIMEOUT_MS:
    'a ping or acknowledgement unanswered this long: the link is dropped and reconnected, waiting iqs fail with 503',
  XMPP_MAX_STANZA_BYTES:
    "largest stanza written to the XMPP server, in bytes once serialised; larger ones are refused with 413 (keep it below the server's limit: Prosody 512 KiB)",
  HTTP_HOST: 'HTTP listen address',
  HTTP_PORT: 'HTTP listen port',
  CORS_ORIGINS: 'browser origins allowed to call the API, comma-separated (* for any)',
  API_TOKENS: 'accepted bearer tokens, comma-separated, each at least 16 characters',
  REST_MAX_BODY_BYTES: 'largest accepted /rest body',
  IQ_TIMEOUT_MS: 'default wait for an iq reply',
  IQ_MAX_TIMEOUT_MS: 'the longest wait a request may ask for (Prosody-Rest-Timeout)',
  IQ_ANSWER_TIMEOUT_MS: 'how long an inbound iq left to GraphQL subscribers waits for their reply',
  SUBSCRIPTION_BUFFER_MAX: 'stanzas buffered per GraphQL subscription before a slow one is ended',
  GRAPHQL_MAX_DEPTH: 'GraphQL query depth limit',
  GRAPHQL_MAX_COST: 'GraphQL query cost limit',
  CALLBACK_URL: 'webhook for inbound stanzas',
  DATABASE_URL: 'Postgres URL for the delivery log (unset: embedded database)',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  SHUTDOWN_GRACE_MS: 'on SIGTERM/SIGINT, how long requests in progress and webhook attempts in flight may finish',
  WEBHOOK_SECRET: 'whsec_<base64> signing key(s) for webhook POSTs; two (space or comma) while rotating',
  WEBHOOK_TIMEOUT_MS: 'limit for one webhook POST, body included',
  WEBHOOK_CONCURRENCY: 'webhook POSTs in flight at once',
  WEBHOOK_QUEUE_MAX:
    'deliveries held in memory; past it messages/presences wait as log rows, iqs get wait/resource-constraint',
  WEBHOOK_RETRY_MAX_ATTEMPTS: 'attempts in all for a message or presence',
  WEBHOOK_RETRY_WINDOW_MS: 'no webhook attempt later than this after arrival',
  WEBHOOK_RETRY_MIN_MS: 'first webhook retry delay',
  WEBHOOK_RETRY_MAX_MS: 'largest webhook retry delay',
  WEBHOOK_RESPONSE_EXCERPT_BYTES: 'response body kept per webhook attempt in the log',
  DATA_DIR: 'where the embedded database lives (when DATABASE_URL is unset)',
  DELIVERY_RETENTION_DAYS: 'prune finished delivery log rows older than this; 0 keeps all',
  DELIVERY_LOG_BUFFER_MAX: 'delivery log writes held in memory while the database is unreachable',
} satisfies Record<SettingName, string>;

export function helpText(): string {
  const rows = settingNames.map((name) => {
    const fallback = settingDefault(name);
    const shown =
      fallback === undefined ? 'required' : fallback === null ? 'unset' : `default ${fallback || '(empty)'}`;
    return `  ${name.padEnd(24)} ${help[name]} [${shown}]`;
  });
  return [
    'Usage: npm start [-- --config FILE]',
    '',
    'Stanza Gateway: HTTP (/rest), GraphQL and webhooks for XMPP, as an XEP-0114 component.',
    '',
    'Options:',
    '  --config FILE            read settings from a JSON or YAML file (same names as below;',
    '                           the environment overrides the file)',
    '  --help                   show this help',
    '',
    'Settings (environment variables):',
    ...rows,
    '',
  ].join('\n');
}
