import { GatewayError } from '../../../errors/gateway-error.ts';

/** A value of JSON.parse, and what the mapping produces. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property only: a JSON body is untrusted, and `__proto__` or `toString` are no fields. */
export function field(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A string field, or undefined for any other type (mod_rest ignores values of the wrong type). */
export function stringField(object: JsonObject, key: string): string | undefined {
  const value = field(object, key);
  return typeof value === 'string' ? value : undefined;
}

/** mod_rest's answer to any body it cannot turn into a stanza. */
export function unparsable(cause?: unknown): GatewayError {
  return new GatewayError('not-well-formed', { cause });
}
