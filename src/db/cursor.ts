import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Opaque Relay cursors for the delivery log: base64url of (createdAt, id), the log's order
 * (newest first, id breaking ties). Neither changes once written, so a cursor stays valid
 * however many rows arrive after it, and keyset pagination needs no OFFSET.
 */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

/**
 * A delivery id as Postgres' uuid type reads it (either case: the column compares as uuid, not
 * text). Checked before a query so that a malformed id is "none" or `bad-cursor`, not a
 * database error.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt.getTime()}:${position.id}`, 'utf8').toString('base64url');
}

/** Throws GatewayError `bad-cursor` for anything encodeCursor did not produce. */
export function decodeCursor(cursor: string): CursorPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):(.+)$/.exec(text);
  if (!match || !UUID_PATTERN.test(match[2]!)) throw new GatewayError('bad-cursor', { field: 'after' });
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}
