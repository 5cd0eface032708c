import { GatewayError } from '../errors/gateway-error.ts';
import type { Stanza } from './codec/index.ts';

/**
 * Matches iq replies to the requests waiting for them. The key is the address pair plus id,
 * as Prosody's own send_iq does: a reply must come from where the request went (RFC 6120
 * §8.2.3), so a third party that guesses an id cannot answer for someone else.
 */
interface Waiting {
  resolve: (reply: Stanza) => void;
  reject: (error: GatewayError) => void;
  timer: NodeJS.Timeout;
  /** Written to the socket: if the link drops now, the reply is lost with it. */
  sent: boolean;
}

function requestKey(request: Stanza): string {
  return `${request.to.toString()}\u0000${request.from.toString()}\u0000${request.id}`;
}

function replyKey(reply: Stanza): string {
  return `${reply.from.toString()}\u0000${reply.to.toString()}\u0000${reply.id}`;
}

export class IqWaiter {
  readonly #waiting = new Map<string, Waiting>();

  /** `unsent` is the error for a request whose time ran out before it reached the socket. */
  constructor(private readonly unsent: () => GatewayError) {}

  get pending(): number {
    return this.#waiting.size;
  }

  /**
   * Registers the request before it is sent, so that even an instant reply finds its waiter.
   * Returns the reply promise and a `sent` callback to call once the socket took the request.
   */
  expect(
    request: Stanza,
    timeoutMs: number,
  ): { reply: Promise<Stanza>; sent: () => void; cancel: (error: GatewayError) => void } {
    const key = requestKey(request);
    if (this.#waiting.has(key)) throw new GatewayError('iq-conflict', { field: 'id' });
    let entry!: Waiting;
    const reply = new Promise<Stanza>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        reject(entry.sent ? new GatewayError('iq-timeout') : this.unsent());
      }, timeoutMs);
      entry = { resolve, reject, timer, sent: false };
    });
    this.#waiting.set(key, entry);
    return {
      reply,
      sent: () => {
        entry.sent = true;
      },
      cancel: (error) => this.#finish(key, entry, () => entry.reject(error)),
    };
  }

  /** Hands a result/error iq to its waiter; false when nobody waits for it. */
  settle(reply: Stanza): boolean {
    if (reply.kind !== 'iq' || !reply.isReply) return false;
    const key = replyKey(reply);
    const entry = this.#waiting.get(key);
    if (!entry) return false;
    this.#finish(key, entry, () => entry.resolve(reply));
    return true;
  }

  /** The link went down: replies to requests already written can no longer arrive. */
  failSent(error: () => GatewayError): void {
    for (const [key, entry] of this.#waiting) {
      if (entry.sent) this.#finish(key, entry, () => entry.reject(error()));
    }
  }

  failAll(error: () => GatewayError): void {
    for (const [key, entry] of this.#waiting) this.#finish(key, entry, () => entry.reject(error()));
  }

  #finish(key: string, entry: Waiting, settle: () => void): void {
    if (this.#waiting.get(key) !== entry) return;
    this.#waiting.delete(key);
    clearTimeout(entry.timer);
    settle();
  }
}
