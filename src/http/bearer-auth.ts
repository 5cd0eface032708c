import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Bearer tokens (RFC 6750) for /rest and GraphQL. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, against every configured token without stopping early, so neither the
 * length nor the content of a token leaks through response timing.
 */
export class BearerAuth {
  readonly #digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
  }

  /** Accepts the value of an Authorization header; throws `no-credentials` or `bad-credentials`. */
  check(header: string | undefined): void {
    if (header === undefined || header.trim() === '') throw new GatewayError('no-credentials');
    const match = /^(\S+)\s+(\S.*)$/.exec(header.trim());
    // The scheme name is case-insensitive (RFC 9110 §11.1); mod_rest refuses `bearer`.
    if (!match || match[1]!.toLowerCase() !== 'bearer') throw new GatewayError('bad-credentials');
    if (!this.accepts(match[2]!.trim())) throw new GatewayError('bad-credentials');
  }

  accepts(token: string): boolean {
    const candidate = digest(token);
    let accepted = false;
    for (const known of this.#digests) accepted = timingSafeEqual(candidate, known) || accepted;
    return accepted;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
