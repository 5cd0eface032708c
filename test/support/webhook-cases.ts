import type { Element } from 'ltx';
import type { DeliveryRecord } from '../../src/db/records.ts';
import type { TestGateway } from './gateway.ts';
import type { Answer, ReceivedRequest } from './receiver.ts';
import { waitUntil } from './wait.ts';
import type { XmppUser } from './xmpp-user.ts';

/**
 * Drives webhook cases from a real XMPP client: each stanza carries `case:NAME` (message
 * body, presence status, iq payload text) and the receiver answers what the case says.
 */
export const BOT = 'bot@rest.localhost';
export type Kind = 'message' | 'presence' | 'iq';

export function caseOf(request: ReceivedRequest): string | undefined {
  return /case:([\w.-]+)/.exec(request.body)?.[1];
}

export function routeCases(
  cases: Record<string, Answer | ((request: ReceivedRequest) => Answer)>,
  fallback: Answer = { status: 202 },
) {
  return (request: ReceivedRequest): Answer => {
    const name = caseOf(request);
    const answer = name === undefined ? undefined : cases[name];
    if (answer === undefined) return fallback;
    return typeof answer === 'function' ? answer(request) : answer;
  };
}

let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now().toString(36)}`;
}

export function stanzaFor(kind: Kind, name: string, id: string, attrs = ''): string {
  if (kind === 'message')
    return `<message to='${BOT}' id='${id}' type='chat'${attrs}><body>case:${name}</body></message>`;
  if (kind === 'presence') return `<presence to='${BOT}' id='${id}'${attrs}><status>case:${name}</status></presence>`;
  return `<iq to='${BOT}' id='${id}' type='get'${attrs}><query xmlns='urn:example:case'>case:${name}</query></iq>`;
}

/**
 * Resolves with the delivery of the stanza with this id once it is final — and, while the
 * database is up, once the log holds it too (the log is written behind the events).
 */
export function finalDelivery(gateway: TestGateway, stanzaId: string, timeoutMs = 10_000): Promise<DeliveryRecord> {
  const webhooks = gateway.app.webhooks!;
  const events = webhooks.log.subscribe();
  const timer = setTimeout(() => void events.return?.(), timeoutMs);
  return (async () => {
    for await (const event of events) {
      if (event.delivery.stanzaId === stanzaId && event.delivery.status !== 'pending') {
        clearTimeout(timer);
        const written = () =>
          webhooks.status().database.state !== 'up' || webhooks.status().database.bufferedWrites === 0;
        await waitUntil(written, 5000, 'the log to catch up');
        return event.delivery;
      }
    }
    throw new Error(`delivery of ${stanzaId} did not end within ${timeoutMs} ms`);
  })();
}

/** Sends the case and waits for its outcome; returns it and what the user got back (if anything). */
export async function runCase(
  gateway: TestGateway,
  user: XmppUser,
  kind: Kind,
  name: string,
  options: { attrs?: string; quietMs?: number } = {},
): Promise<{ id: string; delivery: DeliveryRecord; reply: Element | undefined }> {
  const id = uniqueId(name);
  const outcome = finalDelivery(gateway, id);
  await user.sendXml(stanzaFor(kind, name, id, options.attrs));
  const delivery = await outcome;
  const isReply = (stanza: Element) => stanza.attrs.from?.startsWith(BOT) === true && stanza.name === kind;
  // The outcome is sent before the log event: give the server a moment to route it.
  const reply = await user
    .waitFor(
      (stanza) => isReply(stanza) && (stanza.attrs.id === id || stanza.getChildText('body') === `re:${id}`),
      options.quietMs ?? 300,
    )
    .catch(() => undefined);
  return { id, delivery, reply };
}
