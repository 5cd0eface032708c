import { failures, type FailureKind } from './failures.ts';
import type { StanzaErrorType, StanzaErrorValue } from './stanza-error.ts';

/**
 * A failure of the gateway itself, as a value with a kind. Thrown or returned by the core;
 * turned into an HTTP status, a GraphQL error type or a stanza error only at the edges.
 */
export class GatewayError extends Error {
  readonly type: StanzaErrorType;
  readonly condition: string;
  readonly http: number;
  /** The input field at fault, for clients that show errors beside a form field. */
  readonly field: string | undefined;
  /** Seconds after which a retry may succeed (503s). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly kind: FailureKind,
    options: { text?: string; field?: string; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    const row = failures[kind];
    super(options.text ?? row.text, { cause: options.cause });
    this.name = 'GatewayError';
    this.type = row.type;
    this.condition = row.condition;
    this.http = row.http;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get text(): string {
    return this.message;
  }

  toStanzaError(): StanzaErrorValue {
    return { type: this.type, condition: this.condition, text: this.message };
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
