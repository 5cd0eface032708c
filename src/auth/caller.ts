import { GatewayError } from '../errors/gateway-error.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import type { Operation } from './operations.ts';
import { operationOf, type Scope } from './scope.ts';

/**
 * Who made a request: the token it carried, by name (never the secret). The scope is looked up
 * each time it is needed, so a reload (SIGHUP) changes what an open connection or subscription
 * may do at once; a token removed at a reload (or given a new secret) has no scope left.
 */
export interface ScopeSource {
  scopeOf(name: string, digest: Buffer): Scope | undefined;
  /** Counts a decision, for metrics by token name. */
  record(name: string, operation: Operation, outcome: Outcome): void;
  /** Calls `lost` once, at the first reload after which this caller may no longer use `operation`. */
  watch(caller: Caller, operation: Operation, lost: (error: GatewayError) => void): () => void;
}

export type Outcome = 'allowed' | 'forbidden' | 'rate-limited';

export class Caller {
  constructor(
    /** The token's name: `api-token-N` for API_TOKENS' entries, the definition's for scoped ones. */
    readonly name: string,
    private readonly digest: Buffer,
    private readonly source: ScopeSource,
  ) {}

  /** Internal key (quotas), the name: never the token. */
  get id(): string {
    return this.name;
  }

  /** The scope now; undefined once a reload removed the token. */
  get scope(): Scope | undefined {
    return this.source.scopeOf(this.name, this.digest);
  }

  may(operation: Operation): boolean {
    return this.scope?.may(operation) ?? false;
  }

  /** Throws `operation-not-allowed` unless the token may use it (`bad-credentials` once removed). */
  require(operation: Operation): Scope {
    const scope = this.scope;
    if (!scope) throw new GatewayError('bad-credentials');
    if (!scope.may(operation)) {
      this.source.record(this.name, operation, 'forbidden');
      throw new GatewayError('operation-not-allowed', {
        text: `This token (${this.name}) may not use the operation ${operation}`,
      });
    }
    return scope;
  }

  /**
   * Before a stanza is written: its operation (send or iq), its `from` (the contract's 403),
   * then the rate (429 with the seconds to wait). Only a send that passes takes from the rate.
   */
  authorizeSend(stanza: Stanza): void {
    const operation = operationOf(stanza);
    const scope = this.require(operation);
    this.checkFrom(stanza, scope, operation);
    const waitMs = scope.takeSend();
    if (waitMs > 0) {
      this.source.record(this.name, operation, 'rate-limited');
      throw new GatewayError('rate-limited', { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
    }
    this.source.record(this.name, operation, 'allowed');
  }

  /** The `from` check alone (POST /rest/echo shows what a send would do, without sending). */
  checkFrom(stanza: Stanza, scope = this.scope, operation = operationOf(stanza)): void {
    if (!scope) throw new GatewayError('bad-credentials');
    if (scope.maySendAs(stanza.from)) return;
    this.source.record(this.name, operation, 'forbidden');
    throw new GatewayError('from-not-authorized', { field: 'from' });
  }

  /** Records an allowed operation that sends nothing (a subscription, a query). */
  use(operation: Operation): Scope {
    const scope = this.require(operation);
    this.source.record(this.name, operation, 'allowed');
    return scope;
  }

  /** Whether an inbound stanza may reach this caller's subscriptions now. */
  maySee(stanza: Stanza): boolean {
    const scope = this.scope;
    return scope !== undefined && scope.may('subscribe') && scope.maySee(stanza);
  }

  watch(operation: Operation, lost: (error: GatewayError) => void): () => void {
    return this.source.watch(this, operation, lost);
  }
}
