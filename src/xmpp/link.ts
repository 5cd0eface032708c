import { EventEmitter } from 'node:events';
import type { Component } from '@xmpp/component-core';
import type { Element } from 'ltx';
import type { Logger } from '../log.ts';
import { backoffDelay } from '../flow/backoff.ts';
import { type Attempt, type LinkError, startAttempt } from './link-attempt.ts';

/**
 * The XEP-0114 link to the XMPP server: one attempt (link-attempt.ts) after another, with
 * backoff and jitter between them, until it stops for good on `not-authorized` (a wrong secret
 * never fixes itself; xmpp.js would retry it every second forever).
 */
export type LinkState =
  | 'idle'
  | 'connecting'
  /** Authenticated; the gate (link-guard.ts) checks that no other connection serves the domain. */
  | 'checking'
  /** Connected but not online: another connection serves the domain. */
  | 'standby'
  | 'online'
  | 'waiting'
  | 'failed'
  | 'stopped';

export interface LinkStatus {
  state: LinkState;
  since: Date;
  /** Why the last connection ended or failed; no secret is ever part of it. */
  lastError: string | undefined;
  /** When the next attempt starts, while waiting. */
  retryAt: Date | undefined;
  connects: number;
  reconnects: number;
}

export interface LinkOptions {
  service: string;
  domain: string;
  secret: string;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** The wait before connecting again after `conflict` (the server says the domain is taken). */
  takenRetryMs?: number;
  /** Decides when an authenticated connection goes online; without one, at once. */
  gate?: LinkGate;
}

/** The hook of link-guard.ts: an authenticated connection goes online only through it. */
export interface LinkGate {
  opened(connection: GatedConnection): void;
  /** The connection ended (whatever the cause); called once per opened(). */
  closed(): void;
}

export interface GatedConnection {
  /** Writes on this connection whatever the link's state (probes, relays). */
  write(data: string): Promise<void>;
  online(): void;
  /** Connected but not online; `reason` becomes the link's lastError. */
  standby(reason: string): void;
}

interface LinkEvents {
  online: [];
  /** Refused for good: no further attempt will be made. */
  failed: [];
  offline: [];
  status: [LinkStatus];
  stanza: [Element];
}

// Stream errors after which another attempt cannot succeed without a change of configuration.
const FATAL_CONDITIONS = new Set(['not-authorized', 'host-unknown', 'improper-addressing']);

export class XmppLink extends EventEmitter<LinkEvents> {
  #status: LinkStatus = {
    state: 'idle',
    since: new Date(),
    lastError: undefined,
    retryAt: undefined,
    connects: 0,
    reconnects: 0,
  };
  #attempt: Attempt | undefined;
  /** The current connection is online (it may go to standby and back without reconnecting). */
  #live = false;
  #gated = false;
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly options: LinkOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  get status(): LinkStatus {
    return { ...this.#status };
  }

  get online(): boolean {
    return this.#status.state === 'online';
  }

  get failed(): boolean {
    return this.#status.state === 'failed';
  }

  /** Starts connecting in the background; `online` fires when the component is authenticated. */
  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /**
   * Closes the stream cleanly (</stream:stream>), then the socket; past `closeWithinMs`, the
   * socket at once (a leader that lost its lease must be off the server before it ends).
   */
  async stop(closeWithinMs?: number): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    const entity = this.#attempt?.entity;
    if (entity && entity.status !== 'offline') {
      const cut = closeWithinMs === undefined ? undefined : setTimeout(() => entity.socket?.destroy(), closeWithinMs);
      await entity.stop().catch(() => entity.socket?.destroy());
      clearTimeout(cut);
    }
    await this.#loop;
    this.#loop = undefined;
    this.#setState('stopped');
  }

  /**
   * Tears the current connection down at once (reset, not closed) and reconnects as after any
   * break: for a server that stopped answering without closing the socket.
   */
  kill(reason: string): void {
    this.#attempt?.abort(reason);
  }

  /** Writes serialized stanzas; resolves once the socket accepted them (backpressure). */
  write(data: string): Promise<void> {
    const entity = this.#attempt?.entity;
    if (!entity || this.#status.state !== 'online') return Promise.reject(new Error('XMPP link is not online'));
    return entity.write(data);
  }

  /** Seconds until the link may be back: the Retry-After of a 503. */
  retryAfterSeconds(): number {
    const { retryAt } = this.#status;
    const wait = retryAt ? Math.ceil((retryAt.getTime() - Date.now()) / 1000) : 0;
    return Math.max(1, wait);
  }

  async #run(): Promise<void> {
    let failures = 0;
    let loggedReason: string | undefined;
    while (!this.#stopping) {
      this.#setState('connecting');
      const attempt = startAttempt(this.options, {
        authenticated: (entity, current) => this.#declareOnline(entity, current),
        stanza: (element) => this.emit('stanza', element),
        ended: () => this.#goOffline(),
      });
      this.#attempt = attempt;
      const outcome = await attempt.done;
      this.#attempt = undefined;
      this.#goOffline();
      if (this.#gated) this.options.gate?.closed();
      this.#gated = false;
      if (this.#stopping) break;
      const reason = outcome.error ? describe(outcome.error) : 'connection closed';
      this.#status.lastError = reason;
      if (outcome.error?.condition && FATAL_CONDITIONS.has(outcome.error.condition)) {
        this.log.error(
          { service: this.options.service, domain: this.options.domain, condition: outcome.error.condition },
          'XMPP server refused the component; not retrying (check XMPP_DOMAIN and XMPP_SECRET)',
        );
        this.#setState('failed');
        this.emit('failed');
        return;
      }
      // Nothing listens (the server is down or restarting): such an attempt costs the server
      // nothing, so it is made again at the first step without growing, and the link is back
      // within XMPP_RECONNECT_MIN_MS of the server listening again. Whatever fails once
      // connected (a stream error, a conflict, a timeout, a close) backs off exponentially.
      const refused = outcome.error?.code === 'ECONNREFUSED';
      if (outcome.wentOnline) failures = 0;
      if (!refused) failures += 1;
      // `conflict`: another connection serves the domain (Prosody); try again slowly.
      const taken = outcome.error?.condition === 'conflict' && this.options.takenRetryMs !== undefined;
      const delay = taken
        ? this.options.takenRetryMs!
        : backoffDelay(refused ? 1 : failures, {
            minMs: this.options.reconnectMinMs,
            maxMs: this.options.reconnectMaxMs,
          });
      this.#status.retryAt = new Date(Date.now() + delay);
      // One line per change of reason, not one per attempt of an outage.
      const level = reason === loggedReason && !outcome.wentOnline ? 'debug' : 'warn';
      loggedReason = reason;
      this.log[level](
        { service: this.options.service, reason, retryInMs: delay },
        taken ? 'another connection serves this component domain; trying again later' : 'XMPP link down; reconnecting',
      );
      this.#setState('waiting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
      this.#status.retryAt = undefined;
    }
  }

  /**
   * The stream is authenticated. Anything that must hold before the link serves (a check that
   * no other connection serves the domain, say) goes here, before the state changes: sends
   * queue until `online` fires, and a failed check ends the attempt with `attempt.abort`.
   */
  #declareOnline(entity: Component, attempt: Attempt): void {
    entity.socket?.setKeepAlive(true, 30_000);
    const gate = this.options.gate;
    if (!gate) return this.#goOnline(attempt);
    this.#gated = true;
    this.#setState('checking');
    const current = () => this.#attempt === attempt;
    gate.opened({
      write: (data) => entity.write(data),
      online: () => {
        if (current()) this.#goOnline(attempt);
      },
      standby: (reason) => {
        if (!current()) return;
        this.#status.lastError = reason;
        this.#setState('standby');
        this.#goOffline();
      },
    });
  }

  #goOnline(attempt: Attempt): void {
    if (this.#live) return;
    this.#live = true;
    attempt.outcome.wentOnline = true;
    this.#status.connects += 1;
    if (this.#status.connects > 1) this.#status.reconnects += 1;
    this.#status.lastError = undefined;
    this.#setState('online');
    this.emit('online');
  }

  #goOffline(): void {
    if (!this.#live) return;
    this.#live = false;
    this.emit('offline');
  }

  #setState(state: LinkState): void {
    if (this.#status.state === state) return;
    this.#status.state = state;
    this.#status.since = new Date();
    this.emit('status', this.status);
  }
}

function describe(error: LinkError): string {
  if (error.condition) return `stream error: ${error.condition}`;
  if (error.code) return `${error.code}: ${error.message}`;
  return error.message || error.name;
}
