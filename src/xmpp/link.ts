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
export type LinkState = 'idle' | 'connecting' | 'online' | 'waiting' | 'failed' | 'stopped';

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
}

interface LinkEvents {
  online: [];
  /** Refused for good: no further attempt will be made. */
  failed: [];
  offline: [];
  status: [LinkStatus];
  stanza: [Element];
}

type LinkError = Error & { condition?: string; code?: string };

interface AttemptOutcome {
  wentOnline: boolean;
  error: LinkError | undefined;
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
  #abort: ((reason: string) => void) | undefined;
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

  /**
   * Tears the current connection down at once and reconnects as after any break: for a server
   * that stopped answering without closing the socket. The socket is reset rather than closed,
   * so that a server that wakes up finds it gone instead of reading what is still queued in it
   * (the queue writes that again on the next connection).
   */
  kill(reason: string): void {
    this.#abort?.(reason);
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
    let loggedReason: string | undefined;
    while (!this.#stopping) {
      this.#setState('connecting');
      const outcome = await this.#attempt();
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
      const delay = backoffDelay(refused ? 1 : failures, {
        minMs: this.options.reconnectMinMs,
        maxMs: this.options.reconnectMaxMs,
      });
      this.#status.retryAt = new Date(Date.now() + delay);
      // One line per change of reason, not one per attempt of an outage.
      const level = reason === loggedReason && !outcome.wentOnline ? 'debug' : 'warn';
      loggedReason = reason;
      this.log[level]({ service: this.options.service, reason, retryInMs: delay }, 'XMPP link down; reconnecting');
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
      const end = () => {
        if (ended) return;
        ended = true;
        this.#abort = undefined;
        entity.removeAllListeners();
        entity.on('error', () => {});
        entity.socket?.destroy();
        if (outcome.wentOnline) this.emit('offline');
        resolve(outcome);
      };
      this.#abort = (reason) => {
        outcome.error ??= new Error(reason);
        entity.socket?.resetAndDestroy();
        end();
      };
      entity.on('error', (error: LinkError) => {
        // The first error is the cause; what follows is usually its consequence.
        outcome.error ??= error;
      });
      // Stanzas are written in batches already; Nagle's algorithm would only hold a small
      // write (an iq after a message) until the server's delayed ACK, about 40 ms.
      entity.on('connect', () => entity.socket?.setNoDelay(true));
      entity.on('open', (header: Element) => {
        entity.authenticate(header.attrs.id ?? '', this.options.secret).catch((error: Error) => {
          outcome.error ??= error;
          end();
        });
      });
      entity.on('online', () => this.#declareOnline(entity, outcome));
      entity.on('stanza', (element: Element) => this.emit('stanza', element));
      entity.on('disconnect', end);
      entity.on('offline', end);
      entity.start().catch((error: Error) => {
        outcome.error ??= error;
        end();
      });
    });
  }

  /**
   * The stream is authenticated. Anything that must hold before the link serves (a check that
   * no other connection serves the domain, say) goes here, before the state changes: sends
   * queue until `online` fires, and a failed check can end the attempt with `#abort`.
   */
  #declareOnline(entity: Component, outcome: AttemptOutcome): void {
    outcome.wentOnline = true;
    this.#status.connects += 1;
    if (this.#status.connects > 1) this.#status.reconnects += 1;
    this.#status.lastError = undefined;
    entity.socket?.setKeepAlive(true, 30_000);
    this.#setState('online');
    this.emit('online');
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
