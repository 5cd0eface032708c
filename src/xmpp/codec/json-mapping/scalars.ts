import type { Scalar } from './field-spec.ts';
import { type JsonValue } from './json-value.ts';

/**
 * Scalars between XML text and JSON, as util.datamapper converts them: numbers only from
 * decimal text; booleans from "true"/"1" and "false"/"0" (any other text counts as true).
 */
const INTEGER = /^\s*[-+]?\d+\s*$/;
const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

export function scalarFromXml(type: Scalar, text: string | undefined): JsonValue | undefined {
  if (text === undefined) return undefined;
  switch (type) {
    case 'string':
      return text;
    case 'integer':
    case 'number': {
      if (!(type === 'integer' ? INTEGER : DECIMAL).test(text)) return undefined;
      const number = Number(text);
      return Number.isFinite(number) ? number : undefined;
    }
    case 'boolean':
      if (text === 'false' || text === '0') return false;
      return true;
  }
}

/**
 * The XML text of a JSON value, or undefined when the value has the wrong type: mod_rest then
 * writes nothing useful, and neither does the gateway. Form bodies carry only strings, so
 * numbers are also taken from decimal strings; a boolean never is (`ping=true` in a form is the
 * string "true", not the flag).
 */
export function scalarToXml(type: Scalar, value: JsonValue, values?: readonly string[]): string | undefined {
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return undefined;
      if (values && !values.includes(value)) return undefined;
      return value;
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
      return typeof value === 'string' && INTEGER.test(value) ? value.trim() : undefined;
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
      return typeof value === 'string' && DECIMAL.test(value) ? value.trim() : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? (value ? '1' : '0') : undefined;
  }
}
