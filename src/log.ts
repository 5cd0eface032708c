import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Secrets never reach a log line: the known secret-bearing keys are
 * censored wherever they appear, and the code never logs the config object or raw headers.
 */
const REDACTED_KEYS = [
  'secret',
  'password',
  'token',
  'tokens',
  'authorization',
  'Authorization',
  'apiTokens',
  'webhookSecret',
  'databaseUrl',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
  const options = { level, base: undefined, redact: { paths, censor: '[redacted]' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
