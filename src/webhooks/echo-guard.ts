import type { Stanza } from '../xmpp/codec/index.ts';

/**
 * No webhook loops. A stanza the gateway sends on a callback's behalf (the callback's reply, or
 * the stanza error standing for a failed delivery) goes to the sender of the inbound stanza; when
 * that sender is at the gateway's own domain (a /rest or GraphQL send without `to`, or to one of
 * its own addresses), the XMPP server routes the reply straight back to the component. Posted to
 * the callback again, it would be answered again: an echo receiver looped without end.
 *
 * So such a stanza is remembered (kind, id, from, to) when it is sent, and when it comes back it is
 * not delivered to the callback (GraphQL subscribers still see it). Entries go when their stanza
 * returns, when its send fails, after `ttlMs`, or past `max` (oldest first): bounded memory, and at
 * worst one extra callback, never a loop, since a callback's reply to that one is remembered too.
 */
export interface EchoGuardOptions {
  domain: string;
  ttlMs?: number;
  max?: number;
}

export class EchoGuard {
  readonly #domain: string;
  readonly #ttlMs: number;
  readonly #max: number;
  /** key → expiry (epoch ms); insertion order is expiry order, since the TTL is fixed. */
  readonly #sent = new Map<string, number>();

  constructor(options: EchoGuardOptions) {
    this.#domain = options.domain;
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
    this.#max = options.max ?? 10_000;
  }

  get size(): number {
    return this.#sent.size;
  }

  /** Before a stanza goes out on a callback's behalf. */
  sending(stanza: Stanza, now = Date.now()): void {
    if (stanza.to.domain !== this.#domain) return;
    this.#sweep(now);
    const key = keyOf(stanza);
    this.#sent.delete(key);
    this.#sent.set(key, now + this.#ttlMs);
    if (this.#sent.size > this.#max) this.#sent.delete(this.#sent.keys().next().value!);
  }

  /** Its send failed: it will not come back. */
  notSent(stanza: Stanza): void {
    this.#sent.delete(keyOf(stanza));
  }

  /** Whether an inbound stanza is one the gateway sent on a callback's behalf (forgotten then). */
  returned(stanza: Stanza, now = Date.now()): boolean {
    if (stanza.from.domain !== this.#domain || this.#sent.size === 0) return false;
    const key = keyOf(stanza);
    const expiry = this.#sent.get(key);
    if (expiry === undefined) return false;
    this.#sent.delete(key);
    return expiry > now;
  }

  #sweep(now: number): void {
    for (const [key, expiry] of this.#sent) {
      if (expiry > now) return;
      this.#sent.delete(key);
    }
  }
}

function keyOf(stanza: Stanza): string {
  return `${stanza.kind}\u0000${stanza.id}\u0000${stanza.from.toString()}\u0000${stanza.to.toString()}`;
}
