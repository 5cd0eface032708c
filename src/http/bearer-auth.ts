import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Who made a request, as far as the gateway knows: which of the configured tokens it carried.
 * The id is internal (the token's place in API_TOKENS), never the token itself, so it may key
 * quotas and appear in logs.
 */
export interface TokenIdentity {
  readonly id: string;
}

/**
 * Bearer tokens (RFC 6750) for /rest and GraphQL. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, against every configured token without stopping early, so neither the
 * length nor the content of a token leaks through response timing.
 */
export class BearerAuth {
  readonly #digests: Buffer[];
  readonly #identities: TokenIdentity[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
    this.#identities = tokens.map((_token, index) => ({ id: `token-${index + 1}` }));
  }

  /** Accepts the value of an Authorization header; throws `no-credentials` or `bad-credentials`. */
  check(header: string | undefined): TokenIdentity {
    if (header === undefined || header.trim() === '') throw new GatewayError('no-credentials');
    const match = /^(\S+)\s+(\S.*)$/.exec(header.trim());
    // The scheme name is case-insensitive (RFC 9110 §11.1); mod_rest refuses `bearer`.
    if (!match || match[1]!.toLowerCase() !== 'bearer') throw new GatewayError('bad-credentials');
    const identity = this.identify(match[2]!.trim());
    if (!identity) throw new GatewayError('bad-credentials');
    return identity;
  }

  accepts(token: string): boolean {
    return this.identify(token) !== undefined;
  }

  /** The identity of a token, or undefined when it is not one of the configured tokens. */
  identify(token: string): TokenIdentity | undefined {
    const candidate = digest(token);
    let found = -1;
    this.#digests.forEach((known, index) => {
      if (timingSafeEqual(candidate, known)) found = index;
    });
    return this.#identities[found];
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
