import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { type LeaseStore, leaseStore } from '../db/leader-lease.ts';
import type { Logger } from '../log.ts';

/**
 * Which gateway of a component domain holds the link (HA_ELECTION): the holder of a lease in
 * Postgres (src/db/leader-lease.ts).
 *
 * - A standby tries to take the lease every twentieth of it (150 ms of the default 3 s). It
 *   succeeds once the lease has ended: released by a leader that stopped, or not renewed by one
 *   that died or lost the database.
 * - The leader renews it every quarter (and at once again after a renewal that failed). It counts its
 *   lease from the moment it *sent* the last successful renewal (after connecting), which is no
 *   later than the database started counting, so its own end comes first. A third of the lease
 *   before that end, if no renewal has succeeded since, it gives up (`lost`): the app cuts the
 *   link within a sixth, while the lease still keeps standbys out, and `holds()` (asked before
 *   every send and webhook attempt) is false from that moment even if the timer runs late.
 *   Never two leaders with links, as long as the two clocks run at about the same rate (they
 *   need not agree on the time).
 * - A renewal the database refuses (the lease ended or changed hands) is lost at once.
 */
export interface LeaderElectionOptions {
  leaseMs: number;
}

export type ElectionState = 'idle' | 'standby' | 'leader' | 'lost' | 'stopped';

interface ElectionEvents {
  elected: [epoch: bigint];
  /** The lease is gone or may be: stop serving now. Once; the election is over for this process. */
  lost: [reason: string];
}

export class LeaderElection extends EventEmitter<ElectionEvents> {
  #state: ElectionState = 'idle';
  #epoch: bigint | undefined;
  /** performance.now() at which this process's lease ends by its own count. */
  #validUntil = 0;
  #next: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #lastError: string | undefined;
  #busy: Promise<void> | undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  get state(): ElectionState {
    return this.#state;
  }

  /** The lease's epoch while leader: raised at every change of leader. */
  get epoch(): bigint | undefined {
    return this.#epoch;
  }

  /**
   * True while this process is leader and its lease, by its own count, has more than a third to
   * run: the check made where work starts (requests), on top of the timer that makes it step
   * down, in case that timer runs late (a process that was frozen runs its I/O first).
   */
  holds(): boolean {
    return this.#state === 'leader' && performance.now() < this.#validUntil - this.options.leaseMs / 3;
  }

  /** Why the last call to the database failed, while it keeps failing. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'standby';
    this.#schedule(0);
  }

  /** Stops trying; a leader releases its lease, so that a standby takes over at once. */
  async stop(): Promise<void> {
    // After `lost` too: the app has closed the link by now, and the epoch fences off a lease that
    // changed hands meanwhile.
    const held = this.#state === 'leader' || this.#state === 'lost';
    this.#state = 'stopped';
    this.#clearTimers();
    await this.#busy;
    if (held && this.#epoch !== undefined) {
      await this.store.release(this.#epoch).catch((error: unknown) => {
        // It ends by itself within the lease.
        this.log.warn({ err: error }, 'could not release the leader lease; a standby takes over when it ends');
      });
    }
    await this.store.close();
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#next);
    this.#next = setTimeout(() => {
      this.#busy = this.#tick().finally(() => (this.#busy = undefined));
    }, delayMs);
  }

  async #tick(): Promise<void> {
    // Connecting (and migrating) first, untimed: the lease counts from when the call is sent.
    const prepared = await this.#call(() => this.store.prepare().then(() => true));
    if (this.#state === 'stopped' || this.#state === 'lost') return;
    if (prepared === undefined) return this.#schedule(this.#retryMs());
    const sent = performance.now();
    if (this.#state === 'standby') {
      const epoch = await this.#call(() => this.store.acquire(this.options.leaseMs));
      // (Read again: it may have changed during the call.)
      if (epoch !== undefined && this.state === 'stopped') {
        // Won while stopping: given back at once, or a standby would wait the whole lease.
        await this.store.release(epoch).catch(() => {});
        return;
      }
      if (this.#state !== 'standby') return;
      if (epoch !== undefined) {
        this.#state = 'leader';
        this.#epoch = epoch;
        this.#extend(sent);
        this.log.info({ epoch: epoch.toString() }, 'elected leader of this component domain');
        this.emit('elected', epoch);
      }
    } else if (this.#state === 'leader') {
      const renewed = await this.#call(() => this.store.renew(this.#epoch!, this.options.leaseMs));
      if (this.#state !== 'leader') return;
      if (renewed === false) return this.#lose('the database says the lease ended or changed hands');
      if (renewed) this.#extend(sent);
      // A renewal that failed is tried again at once: several tries fit before the leader gives up.
      else return this.#schedule(0);
    } else {
      return;
    }
    this.#schedule(this.#state === 'leader' ? this.options.leaseMs / 4 : this.#retryMs());
  }

  /** How often a standby tries to take the lease. */
  #retryMs(): number {
    return Math.max(50, this.options.leaseMs / 20);
  }

  /** The call's answer, or undefined when it failed (the failure is kept for status and logs). */
  async #call<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      const answer = await call();
      if (this.#lastError !== undefined) this.log.info('the leader lease database answers again');
      this.#lastError = undefined;
      return answer;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.#lastError === undefined) {
        this.log.warn({ reason: message, state: this.#state }, 'cannot reach the leader lease database');
      }
      this.#lastError = message;
      return undefined;
    }
  }

  /** A renewal sent at `sent` succeeded: the lease holds until `sent` + the lease, by our count. */
  #extend(sent: number): void {
    this.#validUntil = sent + this.options.leaseMs;
    clearTimeout(this.#deadline);
    const giveUpAt = this.#validUntil - this.options.leaseMs / 3;
    this.#deadline = setTimeout(
      () => this.#lose(`could not renew the lease in time (${this.#lastError ?? 'no answer'})`),
      Math.max(0, giveUpAt - performance.now()),
    );
  }

  #lose(reason: string): void {
    if (this.#state !== 'leader') return;
    this.#state = 'lost';
    this.#clearTimers();
    this.log.error({ reason }, 'lost the leader lease: stepping down');
    this.emit('lost', reason);
  }

  #clearTimers(): void {
    clearTimeout(this.#next);
    clearTimeout(this.#deadline);
  }
}

/** The election of this process, over its own connection to `url`. */
export function createLeaderElection(
  options: { url: string; domain: string; leaseMs: number },
  log: Logger,
): LeaderElection {
  const store = leaseStore(
    {
      url: options.url,
      domain: options.domain,
      holder: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      // An eighth: a renewal that fails is tried again at once, and several tries fit in the two
      // thirds of the lease before the leader gives up.
      timeoutMs: options.leaseMs / 8,
    },
    log,
  );
  return new LeaderElection(store, { leaseMs: options.leaseMs }, log);
}
