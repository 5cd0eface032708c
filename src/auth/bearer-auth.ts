import { timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/gateway-error.ts';
import { Caller, type Outcome, type ScopeSource } from './caller.ts';
import type { Operation } from './operations.ts';
import { Scope } from './scope.ts';
import { sha256, type TokenDefinition } from './token-definitions.ts';

/** Kept for the faces' signatures: who made a request is a Caller. */
export type TokenIdentity = Caller;

interface Entry {
  digest: Buffer;
  scope: Scope;
}

interface Watcher {
  caller: Caller;
  operation: Operation;
  lost: (error: GatewayError) => void;
}

export type DecisionListener = (name: string, operation: Operation, outcome: Outcome) => void;

/**
 * Bearer tokens (RFC 6750) for /rest and GraphQL: API_TOKENS' entries (every right, named
 * `api-token-1`, `api-token-2`… in order) and the scoped tokens of API_SCOPED_TOKENS, which
 * reload() replaces (SIGHUP). Tokens are compared as SHA-256 digests with timingSafeEqual,
 * against every configured token without stopping early, so neither the length nor the
 * content of a token leaks through response timing; a scoped token configured by its hash is
 * compared the same way, its secret never held.
 */
export class BearerAuth implements ScopeSource {
  readonly #plain: Entry[];
  #scoped: Entry[] = [];
  #byName = new Map<string, Entry>();
  readonly #watchers = new Set<Watcher>();
  readonly #listeners: DecisionListener[] = [];

  constructor(tokens: readonly string[], definitions: readonly TokenDefinition[] = []) {
    this.#plain = tokens.map((token, index) => {
      const name = `api-token-${index + 1}`;
      return { digest: sha256(token), scope: Scope.full(name) };
    });
    this.#install(definitions);
  }

  /** Accepts the value of an Authorization header; throws `no-credentials` or `bad-credentials`. */
  check(header: string | undefined): Caller {
    if (header === undefined || header.trim() === '') throw new GatewayError('no-credentials');
    const match = /^(\S+)\s+(\S.*)$/.exec(header.trim());
    // The scheme name is case-insensitive (RFC 9110 §11.1); mod_rest refuses `bearer`.
    if (!match || match[1]!.toLowerCase() !== 'bearer') throw new GatewayError('bad-credentials');
    const caller = this.identify(match[2]!.trim());
    if (!caller) throw new GatewayError('bad-credentials');
    return caller;
  }

  accepts(token: string): boolean {
    return this.identify(token) !== undefined;
  }

  /** The caller a token names, or undefined when it is not one of the configured tokens. */
  identify(token: string): Caller | undefined {
    const candidate = sha256(token);
    let found: Entry | undefined;
    for (const entry of [...this.#plain, ...this.#scoped]) {
      if (timingSafeEqual(candidate, entry.digest)) found = entry;
    }
    return found && new Caller(found.scope.name, found.digest, this);
  }

  /** The names of the configured tokens, API_TOKENS' first (for metrics). */
  get names(): string[] {
    return [...this.#plain, ...this.#scoped].map((entry) => entry.scope.name);
  }

  /**
   * Replaces the scoped tokens (SIGHUP): callers of a token still defined with the same secret
   * get its new scope at once, the others none; then every watched operation a caller lost is
   * ended. Throws, changing nothing, when a definition reuses an API_TOKENS secret.
   */
  reload(definitions: readonly TokenDefinition[]): { ended: number } {
    this.#install(definitions);
    let ended = 0;
    for (const watcher of [...this.#watchers]) {
      if (watcher.caller.may(watcher.operation)) continue;
      this.#watchers.delete(watcher);
      ended += 1;
      watcher.lost(new GatewayError('scope-revoked'));
    }
    return { ended };
  }

  onDecision(listener: DecisionListener): void {
    this.#listeners.push(listener);
  }

  scopeOf(name: string, digest: Buffer): Scope | undefined {
    const entry = this.#plain.find((plain) => plain.scope.name === name) ?? this.#byName.get(name);
    return entry && entry.digest.equals(digest) ? entry.scope : undefined;
  }

  record(name: string, operation: Operation, outcome: Outcome): void {
    for (const listener of this.#listeners) listener(name, operation, outcome);
  }

  watch(caller: Caller, operation: Operation, lost: (error: GatewayError) => void): () => void {
    const watcher: Watcher = { caller, operation, lost };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  #install(definitions: readonly TokenDefinition[]): void {
    const plain = new Set(this.#plain.map((entry) => entry.digest.toString('hex')));
    const clash = definitions.find((definition) => plain.has(definition.digest.toString('hex')));
    if (clash) throw new Error(`scoped token "${clash.name}" has the secret of an API_TOKENS entry`);
    const byName = new Map<string, Entry>();
    for (const definition of definitions) {
      const previous = this.#byName.get(definition.name);
      const carried = previous?.digest.equals(definition.digest) ? previous.scope : undefined;
      byName.set(definition.name, { digest: definition.digest, scope: Scope.of(definition, carried) });
    }
    this.#byName = byName;
    this.#scoped = [...byName.values()];
  }
}
