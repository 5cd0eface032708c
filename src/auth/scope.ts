import type { Stanza } from '../xmpp/codec/index.ts';
import type { Jid } from '../xmpp/jid.ts';
import { type AddressPattern, matchesAny } from './address-pattern.ts';
import { type Operation, operations } from './operations.ts';
import { type Rate, TokenBucket } from './token-bucket.ts';
import type { AddressScope, TokenDefinition } from './token-definitions.ts';

/**
 * What one token may do: the addresses it sends as, the inbound stanzas it sees, its
 * operations and its rate. API_TOKENS' entries have every right and no rate (`fullScope`).
 */
export class Scope {
  readonly #bucket: TokenBucket | undefined;

  constructor(
    readonly name: string,
    readonly from: AddressScope,
    readonly see: AddressScope,
    readonly can: ReadonlySet<Operation>,
    readonly rate: Rate | undefined,
    /** The bucket of the scope this one replaces at a reload: what was used stays used. */
    previous?: Scope,
  ) {
    const now = performance.now();
    this.#bucket = rate && new TokenBucket(rate, now, previous?.levelAt(now));
  }

  static full(name: string): Scope {
    return new Scope(name, 'all', 'all', new Set(operations), undefined);
  }

  static of(definition: TokenDefinition, previous?: Scope): Scope {
    const { name, from, see, can, rate } = definition;
    return new Scope(name, from, see, can, rate, previous);
  }

  /** Whether this token is as narrow as API_TOKENS' (no limits at all). */
  get unlimited(): boolean {
    return this.from === 'all' && this.see === 'all' && this.can.size === operations.length && !this.rate;
  }

  may(operation: Operation): boolean {
    return this.can.has(operation);
  }

  maySendAs(address: Jid): boolean {
    return within(address, this.from);
  }

  /** Whether an inbound stanza may reach this token's subscriptions: by its `to`. */
  maySee(stanza: Stanza): boolean {
    return within(stanza.to, this.see);
  }

  /** What is left of the rate now (undefined without one). */
  levelAt(now: number): number | undefined {
    return this.#bucket?.level(now);
  }

  /** Takes one send from the rate: 0 when allowed, else milliseconds until one would be. */
  takeSend(): number {
    return this.#bucket?.take(performance.now()) ?? 0;
  }
}

function within(address: Jid, scope: AddressScope): boolean {
  return scope === 'all' || matchesAny(address, scope);
}

/** The operation a stanza sent through an API needs: `send` for messages and presences, `iq` for iqs. */
export function operationOf(stanza: Stanza): Operation {
  return stanza.kind === 'iq' ? 'iq' : 'send';
}

/** For `status` and logs: the patterns as written. */
export function patternTexts(scope: AddressScope): string[] {
  return scope === 'all' ? ['all'] : scope.map((pattern: AddressPattern) => pattern.text);
}
