import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Caps on open subscriptions, whatever their kind or transport: in total, and per token, so one
 * client (or one leaked token) cannot take every slot. Keyed by the token's internal identity,
 * never by the token itself.
 */
export interface SubscriptionLimits {
  total: number;
  perToken: number;
}

export class SubscriptionQuota {
  readonly #byToken = new Map<string, number>();
  #open = 0;

  constructor(private readonly limits: SubscriptionLimits) {}

  get open(): number {
    return this.#open;
  }

  openFor(tokenId: string): number {
    return this.#byToken.get(tokenId) ?? 0;
  }

  /**
   * Takes a slot for `tokenId`, or throws `token-subscription-limit` / `subscription-limit`.
   * The returned release gives it back; calling it again does nothing.
   */
  acquire(tokenId: string): () => void {
    const held = this.openFor(tokenId);
    if (held >= this.limits.perToken) throw new GatewayError('token-subscription-limit');
    if (this.#open >= this.limits.total) throw new GatewayError('subscription-limit');
    this.#byToken.set(tokenId, held + 1);
    this.#open += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#open -= 1;
      const left = this.openFor(tokenId) - 1;
      if (left > 0) this.#byToken.set(tokenId, left);
      else this.#byToken.delete(tokenId);
    };
  }
}
