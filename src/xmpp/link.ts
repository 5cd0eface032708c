import { EventEmitter } from 'node:events';
import { Component } from '@xmpp/component-core';
import type { Element } from 'ltx';
import type { Logger } from '../log.ts';
import { backoffDelay } from './backoff.ts';

/**
 * The XEP-0114 connection to the XMPP server: connects, authenticates, reconnects with
 * backoff and jitter, and stops for good on `not-authorized` (a wrong secret never fixes
 * itself; xmpp.js would retry it every second forever). One xmpp.js entity per attempt, so no
 * listener or parser state survives a broken connection.
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

interface AttemptOutcome {
  wentOnline: boolean;
  error: (Error & { condition?: string }) | undefined;
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
  #entity: Component | undefined;
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

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    const entity = this.#entity;
    if (entity && entity.status !== 'offline') {
      // Closes the stream cleanly (</stream:stream>), then the socket.
      await entity.stop().catch(() => entity.socket?.destroy());
    }
    await this.#loop;
    this.#loop = undefined;
    this.#setState('stopped');
  }

  /** Writes serialized stanzas; resolves once the socket accepted them (backpressure). */
  write(data: string): Promise<void> {
    const entity = this.#entity;
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
    while (!this.#stopping) {
      this.#setState('connecting');
      const outcome = await this.#attempt();
      if (this.#stopping) break;
      this.#status.lastError = outcome.error ? describe(outcome.error) : 'connection closed';
      if (outcome.error?.condition && FATAL_CONDITIONS.has(outcome.error.condition)) {
        this.log.error(
          { service: this.options.service, domain: this.options.domain, condition: outcome.error.condition },
          'XMPP server refused the component; not retrying (check XMPP_DOMAIN and XMPP_SECRET)',
        );
        this.#setState('failed');
        this.emit('failed');
        return;
      }
      failures = outcome.wentOnline ? 1 : failures + 1;
      const taken = outcome.error?.condition === 'conflict' && this.options.takenRetryMs !== undefined;
      const delay = taken
        ? this.options.takenRetryMs!
        : backoffDelay(failures, { minMs: this.options.reconnectMinMs, maxMs: this.options.reconnectMaxMs });
      this.#status.retryAt = new Date(Date.now() + delay);
      this.log.warn(
        { service: this.options.service, reason: this.#status.lastError, retryInMs: delay },
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

  /** One connection, from connect to close. Resolves when it has ended, whatever the cause. */
  #attempt(): Promise<AttemptOutcome> {
    const entity = new Component({ service: this.options.service, domain: this.options.domain });
    this.#entity = entity;
    const outcome: AttemptOutcome = { wentOnline: false, error: undefined };

    return new Promise<AttemptOutcome>((resolve) => {
      let ended = false;
      let live = false;
      let gated = false;
      const end = () => {
        if (ended) return;
        ended = true;
        entity.removeAllListeners();
        entity.on('error', () => {});
        entity.socket?.destroy();
        if (gated) this.options.gate?.closed();
        if (live) this.emit('offline');
        resolve(outcome);
      };
      const goOnline = () => {
        if (ended || live) return;
        live = true;
        outcome.wentOnline = true;
        this.#status.connects += 1;
        if (this.#status.connects > 1) this.#status.reconnects += 1;
        this.#status.lastError = undefined;
        this.#setState('online');
        this.emit('online');
      };
      const standby = (reason: string) => {
        if (ended) return;
        this.#status.lastError = reason;
        this.#setState('standby');
        if (live) {
          live = false;
          this.emit('offline');
        }
      };
      entity.on('error', (error: Error & { condition?: string }) => {
        // The first error is the cause; what follows is usually its consequence.
        outcome.error ??= error;
      });
      entity.on('open', (header: Element) => {
        entity.authenticate(header.attrs.id ?? '', this.options.secret).catch((error: Error) => {
          outcome.error ??= error;
          end();
        });
      });
      entity.on('online', () => {
        entity.socket?.setKeepAlive(true, 30_000);
        const gate = this.options.gate;
        if (!gate) return goOnline();
        gated = true;
        this.#setState('checking');
        gate.opened({ write: (data) => entity.write(data), online: goOnline, standby });
      });
      entity.on('stanza', (element: Element) => this.emit('stanza', element));
      entity.on('disconnect', end);
      entity.on('offline', end);
      entity.start().catch((error: Error) => {
        outcome.error ??= error;
        end();
      });
    });
  }

  #setState(state: LinkState): void {
    if (this.#status.state === state) return;
    this.#status.state = state;
    this.#status.since = new Date();
    this.emit('status', this.status);
  }
}

function describe(error: Error & { condition?: string; code?: string }): string {
  if (error.condition) return `stream error: ${error.condition}`;
  if (error.code) return `${error.code}: ${error.message}`;
  return error.message || error.name;
}
