import { Element } from 'ltx';
import { GatewayError } from '../errors/gateway-error.ts';
import { errorReply, type OutboundRules, type Stanza, stanzaFromElement } from '../xmpp/codec/index.ts';

/**
 * Inbound iq get/sets left to GraphQL subscribers (CONTRACT.md, "Inbound iqs when no webhook
 * answers them"). XMPP requires exactly one reply: the first result/error sent through the API
 * to the requester with the same id is it; when none comes in time the gateway answers
 * `wait/remote-server-timeout` itself, and any later reply is refused (`no-pending-iq`).
 */
export interface IqAnswersOptions {
  timeoutMs: number;
  rules: OutboundRules;
  /** Sends a reply the gateway itself makes (the timeout answer); never rejects. */
  sendReply: (reply: Stanza) => Promise<void>;
}

interface Pending {
  request: Stanza;
  timer: NodeJS.Timeout;
}

/** The requester and the id identify the exchange; the reply's `from` is forced (see claim). */
function keyOf(requester: string, id: string): string {
  return `${requester}\u0000${id}`;
}

export class IqAnswers {
  readonly #pending = new Map<string, Pending>();

  constructor(private readonly options: IqAnswersOptions) {}

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Takes an inbound iq on: false when an iq with the same id from the same sender is already
   * pending (the sender broke RFC 6120 §8.1.3's uniqueness; the core then answers it).
   */
  hold(request: Stanza): boolean {
    const key = keyOf(request.from.toString(), request.id);
    if (this.#pending.has(key)) return false;
    const timer = setTimeout(() => {
      if (this.#pending.get(key)?.request !== request) return;
      this.#pending.delete(key);
      void this.options.sendReply(errorReply(request, { type: 'wait', condition: 'remote-server-timeout' }));
    }, this.options.timeoutMs);
    timer.unref();
    this.#pending.set(key, { request, timer });
    return true;
  }

  /**
   * Turns a result/error iq sent through the API into the answer of its pending request, with
   * `from` forced to the address the request was sent to (as the webhook contract does), or
   * throws `no-pending-iq`. The request stops being pending at once: a second reply is refused.
   */
  claim(reply: Stanza): Stanza {
    const key = keyOf(reply.to.toString(), reply.id);
    const pending = this.#pending.get(key);
    if (!pending) throw new GatewayError('no-pending-iq', { field: 'id' });
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    if (reply.from.equals(pending.request.to)) return reply;
    // The reply was parsed for this send only, so its children may move to the new element.
    const element = new Element('iq', { ...reply.element.attrs, from: pending.request.to.toString() });
    for (const child of reply.element.children) element.cnode(child);
    return stanzaFromElement(element, { ...this.options.rules, allowIqReplies: true });
  }

  /** The gateway is stopping: every pending iq still gets its one reply, on the wire when this resolves. */
  async close(): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const [key, { request, timer }] of this.#pending) {
      clearTimeout(timer);
      this.#pending.delete(key);
      sends.push(this.options.sendReply(errorReply(request, { type: 'wait', condition: 'service-unavailable' })));
    }
    await Promise.all(sends);
  }
}
