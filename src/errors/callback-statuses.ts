import { STATUS_CODES } from 'node:http';
import type { StanzaErrorType, StanzaErrorValue } from './stanza-error.ts';

/**
 * The webhook's HTTP status → stanza error table (docs/webhooks.md, "What the sender gets",
 * 4xx/5xx row): what the sender of an inbound stanza gets when the callback answers with an
 * error status. Any other
 * 4xx/5xx is `cancel/undefined-condition`. mod_rest turns an error with a text body into a chat
 * message instead; the README says errors map to stanza errors, so they do (deviation).
 */
export const callbackStatuses: Readonly<Record<number, { type: StanzaErrorType; condition: string }>> = {
  400: { type: 'modify', condition: 'bad-request' },
  401: { type: 'auth', condition: 'not-authorized' },
  403: { type: 'auth', condition: 'forbidden' },
  404: { type: 'cancel', condition: 'item-not-found' },
  405: { type: 'cancel', condition: 'not-allowed' },
  409: { type: 'cancel', condition: 'conflict' },
  413: { type: 'modify', condition: 'resource-constraint' },
  429: { type: 'wait', condition: 'resource-constraint' },
  500: { type: 'wait', condition: 'internal-server-error' },
  501: { type: 'cancel', condition: 'feature-not-implemented' },
  502: { type: 'wait', condition: 'remote-server-timeout' },
  503: { type: 'cancel', condition: 'service-unavailable' },
  504: { type: 'wait', condition: 'remote-server-timeout' },
};

const otherStatus = { type: 'cancel', condition: 'undefined-condition' } as const;

/**
 * The stanza error for a 4xx/5xx callback answer, with the text "NNN Reason". The reason is
 * the standard phrase, not the receiver's own: what goes to an XMPP sender stays predictable
 * and carries nothing the receiver did not mean to publish.
 */
export function callbackStatusError(status: number): StanzaErrorValue {
  const row = callbackStatuses[status] ?? otherStatus;
  return { ...row, text: `${status} ${STATUS_CODES[status] ?? 'Unknown Status'}` };
}

/** Statuses after which a message or presence is tried again (docs/webhooks.md, "Retries and ordering"). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
