import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import { backoffDelay } from '../flow/backoff.ts';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { MigrationError } from './migrator.ts';

/**
 * Whether the delivery log's database takes writes: `up`, `down` (retrying with backoff, 250 ms
 * to 10 s, through the `recover` step, which also applies migrations), or `closed`. The LogWriter
 * holds writes while it is down; readiness and status report it.
 *
 * At start, an unreachable database is an outage (deliveries go on), but a failed migration is
 * not: the database answered and refused the schema, which waiting will not fix, so start()
 * throws it and the gateway does not start (docs/webhooks.md).
 */
export type LogState = 'up' | 'down' | 'closed';

export interface AvailabilityOptions {
  /** Re-establishes the database (probe, migrations) after an outage; throws while it is down. */
  recover: () => Promise<void>;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** What the log lines call it: `delivery log` (the default) or `inbound journal`. */
  name?: string;
}

export class LogAvailability extends EventEmitter<{ up: []; down: [] }> {
  state: LogState = 'down';
  since = new Date();
  lastError: string | undefined = 'not started';
  #failures = 0;
  #everUp = false;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: AvailabilityOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  get #name(): string {
    return this.options.name ?? 'delivery log';
  }

  get up(): boolean {
    return this.state === 'up';
  }

  /** One round trip now; false when it fails. */
  async reachable(): Promise<boolean> {
    try {
      await this.prisma.$queryRaw`SELECT 1`;
      return true;
    } catch {
      return false;
    }
  }

  /** A write failed and the database does not answer: down until `recover` succeeds. No-op once closed. */
  down(error: unknown, buffered: number): void {
    if (this.state === 'closed') return;
    // Prisma's messages start with a blank line and the call site; the last line is the cause.
    const lines = (error instanceof Error ? error.message : String(error))
      .split('\n')
      .filter((line) => line.trim() !== '');
    this.lastError = lines.at(-1)?.trim() ?? 'unknown error';
    if (this.state === 'up')
      this.log.warn({ reason: this.lastError, buffered }, `${this.#name} database unreachable; buffering writes`);
    this.#set('down');
    this.#failures += 1;
    const delay = backoffDelay(this.#failures, {
      minMs: this.options.retryMinMs ?? 250,
      maxMs: this.options.retryMaxMs ?? 10_000,
    });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#recover(false), delay);
    this.#retryTimer.unref();
  }

  /** The first connection: throws a MigrationError; any other failure leaves it down, retrying. */
  start(): Promise<void> {
    return this.#recover(true);
  }

  async #recover(starting: boolean): Promise<void> {
    try {
      await this.options.recover();
    } catch (error) {
      if (error instanceof MigrationError) {
        if (starting) throw error;
        // Reached after an outage (at start it was unreachable): keep trying, but say why loudly.
        this.log.error({ err: error }, `${this.#name} database: a migration failed; retrying`);
      }
      this.down(error, 0);
      return;
    }
    if (this.state === 'closed') return;
    this.#failures = 0;
    this.lastError = undefined;
    if (this.#everUp) this.log.info(`${this.#name} database is back; writing what was buffered`);
    this.#everUp = true;
    this.#set('up');
  }

  close(): void {
    clearTimeout(this.#retryTimer);
    this.#set('closed');
  }

  #set(state: LogState): void {
    if (this.state === state) return;
    this.state = state;
    this.since = new Date();
    if (state === 'up') this.emit('up');
    if (state === 'down') this.emit('down');
  }
}
