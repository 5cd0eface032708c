import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Opaque cursors of the inbound journal: base64url of `inbound:<seq>`. The seq is assigned in
 * arrival order and never reused (across restarts too), so a later stanza always has a larger
 * one; the same cursor serves the `stanzas(after:)` subscription and the `inboundStanzas` pages.
 */
const PATTERN = /^inbound:(\d{1,15})$/;

export function encodeJournalCursor(seq: number): string {
  return Buffer.from(`inbound:${seq}`, 'utf8').toString('base64url');
}

/** Throws GatewayError `bad-cursor` for anything encodeJournalCursor did not produce. */
export function decodeJournalCursor(cursor: string): number {
  const match = PATTERN.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new GatewayError('bad-cursor', {
      field: 'after',
      text: 'Not a cursor of the inbound journal (a `cursor` of a stanza, or an endCursor of inboundStanzas)',
    });
  }
  return Number(match[1]);
}
