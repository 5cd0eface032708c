import type { Logger } from '../log.ts';
import { errorReply, type Stanza } from './codec/index.ts';

/**
 * Who answers an inbound iq get/set. XMPP requires exactly one reply to each (RFC 6120 §8.2.3),
 * and several parts of the gateway may take one on (the webhook, the built-in ping and disco,
 * GraphQL subscribers): they register here, and the core hands over every inbound stanza once
 * the inbound bus has seen it. Kept apart from the core as xmpp.js keeps `iq/callee` apart from
 * its client.
 */

/**
 * Decides who answers an inbound iq get/set. Returns true to take it on: the answerer then
 * sends exactly one reply. Answerers are asked in priority order (lower first); when none
 * takes the iq, the callee answers `service-unavailable` (RFC 6120 §8.4).
 */
export type IqAnswerer = (request: Stanza) => boolean;

export const answererPriority = { webhook: 10, builtin: 20, subscribers: 30 } as const;

export interface IqCallee {
  /** Adds an answerer (equal priorities: the first added is asked first). Returns its removal. */
  add(priority: number, answer: IqAnswerer): () => void;
  /**
   * Routes one inbound stanza. Only an iq get/set is answered: a result or an error is a reply
   * itself and never gets one (no error loops), and neither does a stanza of another kind.
   */
  receive(stanza: Stanza): void;
}

/**
 * `sendReply` sends the callee's own answers and must not throw (the core's logs a failed send).
 * No start or stop: the callee holds only its answerers, and each part removes its own.
 */
export function iqCallee(sendReply: (reply: Stanza) => void, log: Logger): IqCallee {
  const answerers: { priority: number; answer: IqAnswerer }[] = [];
  return {
    add(priority, answer) {
      const entry = { priority, answer };
      answerers.push(entry);
      // Array sort is stable: equal priorities keep the order they were added in.
      answerers.sort((a, b) => a.priority - b.priority);
      return () => {
        const index = answerers.indexOf(entry);
        if (index !== -1) answerers.splice(index, 1);
      };
    },
    receive(stanza) {
      if (!stanza.isIqRequest) return;
      for (const { answer } of answerers) {
        try {
          if (answer(stanza)) return;
        } catch (error) {
          // One broken answerer must not leave the iq without a reply: the next one is asked.
          log.error({ err: error, id: stanza.id }, 'an iq answerer failed');
        }
      }
      sendReply(errorReply(stanza, { type: 'cancel', condition: 'service-unavailable' }));
    },
  };
}
