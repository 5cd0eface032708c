import { Element } from 'ltx';
import { GatewayError } from '../errors/gateway-error.ts';
import { errorReply, type OutboundRules, type Stanza, stanzaFromElement } from '../xmpp/codec/index.ts';

/**
 * Inbound iq get/sets left to GraphQL subscribers (docs/contract.md, "Exactly one reply to
 * every inbound iq"). XMPP requires exactly one reply: the first result/error sent through the API
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
  /** When the gateway answers `remote-server-timeout` itself (Date.now() clock). */
  deadline: number;
  timer: NodeJS.Timeout;
}

/** A reply taken on as the answer of a pending iq, not on the wire yet. */
export interface Claim {
  /** The reply to send, with `from` forced to where the request went. */
  reply: Stanza;
  /**
   * The send failed (queue-full, link-down…): the request is pending again for the time it had
   * left, so a retry or the gateway's own timeout answer still gives it its one reply.
   */
  release(): void;
}

/** The requester and the id identify the exchange; the reply's `from` is forced (see claim). */
function keyOf(requester: string, id: string): string {
  return `${requester}\u0000${id}`;
}

export class IqAnswers {
  readonly #pending = new Map<string, Pending>();
  #closed = false;

  constructor(private readonly options: IqAnswersOptions) {}

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Takes an inbound iq on: false when an iq with the same id from the same sender is already
   * pending (the sender broke RFC 6120 §8.1.3's uniqueness; the core then answers it), or when
   * the gateway is stopping.
   */
  hold(request: Stanza): boolean {
    const key = keyOf(request.from.toString(), request.id);
    if (this.#closed || this.#pending.has(key)) return false;
    this.#pend(key, request, Date.now() + this.options.timeoutMs);
    return true;
  }

  /**
   * Turns a result/error iq sent through the API into the answer of its pending request, with
   * `from` forced to the address the request was sent to (as the webhook contract does), or
   * throws `no-pending-iq`. The request stops being pending at once, so a second reply is
   * refused; the caller sends `claim.reply` and calls `claim.release()` if that send fails.
   */
  claim(reply: Stanza): Claim {
    const key = keyOf(reply.to.toString(), reply.id);
    const pending = this.#pending.get(key);
    if (!pending) throw new GatewayError('no-pending-iq', { field: 'id' });
    const answer = this.#answerOf(reply, pending.request);
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    let released = false;
    return {
      reply: answer,
      release: () => {
        if (released) return;
        released = true;
        this.#release(key, pending);
      },
    };
  }

  /** The gateway is stopping: every pending iq still gets its one reply, on the wire when this resolves. */
  async close(): Promise<void> {
    this.#closed = true;
    const sends: Promise<void>[] = [];
    for (const [key, { request, timer }] of this.#pending) {
      clearTimeout(timer);
      this.#pending.delete(key);
      sends.push(this.options.sendReply(stoppingAnswer(request)));
    }
    await Promise.all(sends);
  }

  #pend(key: string, request: Stanza, deadline: number): void {
    const timer = setTimeout(
      () => {
        if (this.#pending.get(key)?.request !== request) return;
        this.#pending.delete(key);
        void this.options.sendReply(errorReply(request, { type: 'wait', condition: 'remote-server-timeout' }));
      },
      Math.max(0, deadline - Date.now()),
    );
    timer.unref();
    this.#pending.set(key, { request, deadline, timer });
  }

  #release(key: string, { request, deadline }: Pending): void {
    // close() has answered the others already; this one was on its way out meanwhile.
    if (this.#closed) {
      void this.options.sendReply(stoppingAnswer(request));
      return;
    }
    // The sender reused the id for a new iq while this one was being answered (RFC 6120 §8.1.3
    // broken): the new one keeps the slot, this one is answered as if its time had run out.
    if (this.#pending.has(key)) {
      void this.options.sendReply(errorReply(request, { type: 'wait', condition: 'remote-server-timeout' }));
      return;
    }
    this.#pend(key, request, deadline);
  }

  #answerOf(reply: Stanza, request: Stanza): Stanza {
    if (reply.from.equals(request.to)) return reply;
    // The reply was parsed for this send only, so its children may move to the new element.
    const element = new Element('iq', { ...reply.element.attrs, from: request.to.toString() });
    for (const child of reply.element.children) element.cnode(child);
    return stanzaFromElement(element, { ...this.options.rules, allowIqReplies: true });
  }
}

/** What a pending iq gets when the gateway stops before a subscriber answered it. */
function stoppingAnswer(request: Stanza): Stanza {
  return errorReply(request, { type: 'wait', condition: 'service-unavailable' });
}
