import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import type { Config } from '../config.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../log.ts';
import { builtinAnswerer } from './builtin-answers.ts';
import { decodeInbound, type OutboundRules, type Stanza, type StanzaKind } from './codec/index.ts';
import { InboundBus } from './inbound-bus.ts';
import { answererPriority, type IqAnswerer, type IqCallee, iqCallee } from './iq-callee.ts';
import { IqWaiter } from './iq-waiter.ts';
import { type LinkStatus, XmppLink } from './link.ts';
import { LinkGuard } from './link-guard.ts';
import { type LinkLiveness, watchLiveness } from './liveness.ts';
import { OutboundQueue } from './outbound.ts';

/**
 * The core every face uses: send a stanza, send an iq and await its reply, observe inbound
 * stanzas. It does not know whether a stanza came from /rest, GraphQL or a webhook reply.
 */
export type XmppCoreOptions = Config['xmpp'];

/** How long a stop waits for the acknowledgement of what is written before closing the stream. */
const STOP_ACK_WAIT_MS = 2000;

export type StanzaCounters = Record<'in' | 'out', Record<StanzaKind, number>>;

export interface CoreStatus {
  domain: string;
  service: string;
  link: LinkStatus;
  startedAt: Date;
  pendingIqs: number;
  /** Accepted, waiting to be written. */
  queuedSends: number;
  /** Written, waiting for the server's acknowledgement. */
  unacknowledgedSends: number;
  counters: StanzaCounters;
}

/** What the core reports for metrics; listeners must be cheap (they run on the hot path). */
export interface CoreEvents {
  stanza: [direction: 'in' | 'out', kind: StanzaKind];
  /** One iq request finished: with a reply (`result`/`error`) or a failure kind. */
  iq: [seconds: number, outcome: string];
}

export class XmppCore {
  readonly inbound = new InboundBus();
  readonly events = new EventEmitter<CoreEvents>();
  readonly rules: OutboundRules;
  /** One live link per domain: its counters, for metrics and tests. */
  readonly linkGuard: LinkGuard;
  readonly #link: XmppLink;
  readonly #outbound: OutboundQueue;
  readonly #liveness: LinkLiveness;
  readonly #iqs: IqWaiter;
  readonly #callee: IqCallee;
  readonly #interceptors = new Set<(stanza: Stanza) => boolean>();
  readonly #startedAt = new Date();
  #stopped: Promise<void> | undefined;
  #mayAct: () => boolean = () => true;
  readonly #counters: StanzaCounters = {
    in: { message: 0, presence: 0, iq: 0 },
    out: { message: 0, presence: 0, iq: 0 },
  };

  constructor(
    private readonly options: XmppCoreOptions,
    private readonly log: Logger,
  ) {
    this.rules = { domain: options.domain, maxStanzaBytes: options.maxStanzaBytes };
    // One live link per domain (link-guard.ts): the guard decides when the link goes online
    // and sees every inbound element first.
    const guard = new LinkGuard(
      { domain: options.domain, checkIntervalMs: options.standbyRetryMs, checkTimeoutMs: options.linkCheckTimeoutMs },
      log,
    );
    this.linkGuard = guard;
    this.#link = new XmppLink({ ...options, gate: guard, takenRetryMs: options.standbyRetryMs }, log);
    this.#outbound = new OutboundQueue(this.#link, {
      deadlineMs: options.sendDeadlineMs,
      queueMax: options.sendQueueMax,
      window: options.ackWindow,
      domain: options.domain,
    });
    this.#liveness = watchLiveness(
      this.#link,
      this.#outbound,
      { intervalMs: options.pingIntervalMs, timeoutMs: options.pingTimeoutMs },
      log,
    );
    this.#iqs = new IqWaiter(() => this.#notSent());
    this.#link.on('stanza', (element) => guard.receive(element));
    guard.on('stanza', (element) => this.#receive(element));
    this.#link.on('online', () =>
      log.info({ domain: options.domain, service: options.service }, 'XMPP component online'),
    );
    this.#link.on('offline', () => {
      // The replies to iqs already written cannot arrive any more: 503 now, not at their timeout.
      this.#iqs.failSent(() => new GatewayError('link-lost', { retryAfterSeconds: 1 }));
    });
    const sendReply = (reply: Stanza) => this.#sendReply(reply);
    this.#callee = iqCallee(sendReply, log);
    this.#callee.add(answererPriority.builtin, builtinAnswerer(options.domain, sendReply));
  }

  get domain(): string {
    return this.options.domain;
  }

  get online(): boolean {
    return this.#link.online;
  }

  /**
   * Whether this gateway may act for its domain now: send, reply, deliver. Always, unless the app
   * sets a check (HA_ELECTION: while the leader's lease holds), which every send passes here and
   * every webhook attempt asks before it POSTs.
   */
  mayAct(): boolean {
    return this.#mayAct();
  }

  setActingCheck(check: () => boolean): void {
    this.#mayAct = check;
  }

  /** Link state changes, for readiness and logs. */
  onLinkStatus(listener: (status: LinkStatus) => void): () => void {
    this.#link.on('status', listener);
    return () => this.#link.off('status', listener);
  }

  start(): void {
    this.#link.start();
  }

  /**
   * Stops for good (once; later calls share the first). `within` bounds it for a leader that
   * lost its lease: the acknowledgements it waits for, then the stream's close.
   */
  stop(within?: { ackWaitMs: number; closeWithinMs: number }): Promise<void> {
    // A bound asked for while an unbounded stop is under way: the link is cut now.
    if (this.#stopped && within) this.#link.kill('stopping at once');
    this.#stopped ??= (async () => {
      this.#outbound.close();
      this.#iqs.failAll(() => new GatewayError('shutting-down'));
      // What is written gets its acknowledgement (or its bounce) before the stream closes.
      await this.#outbound.drain(within?.ackWaitMs ?? STOP_ACK_WAIT_MS);
      this.#liveness.stop();
      await this.#link.stop(within?.closeWithinMs);
    })();
    return this.#stopped;
  }

  status(): CoreStatus {
    return {
      domain: this.options.domain,
      service: this.options.service,
      link: this.#link.status,
      startedAt: this.#startedAt,
      pendingIqs: this.#iqs.pending,
      queuedSends: this.#outbound.size,
      unacknowledgedSends: this.#outbound.unacknowledged,
      counters: structuredClone(this.#counters),
    };
  }

  /**
   * Sends a stanza that expects no reply. Resolves once the server has processed it: with
   * undefined, or with the error the server returned for it at once (a message to a local user
   * that does not exist), as mod_rest answers such a bounce.
   */
  async send(stanza: Stanza): Promise<Stanza | undefined> {
    const bounce = await this.#outbound.send(this.#wire(stanza), { bounceOf: stanza });
    this.#counted('out', stanza.kind);
    return bounce;
  }

  /**
   * Sends the answer to a received stanza (an iq result or error, a webhook's reply). Unlike
   * send(), it is still accepted while the gateway stops and the stream closes, so that every
   * inbound iq gets its one reply. Resolves once the server has processed it; an error it
   * returns goes the inbound way (to the webhook), as no caller waits for it.
   */
  async reply(stanza: Stanza): Promise<void> {
    await this.#outbound.send(this.#wire(stanza), { reply: true });
    this.#counted('out', stanza.kind);
  }

  /**
   * Sends an iq get/set and resolves with its reply, `type="result"` or `type="error"` alike
   * (a stanza error is an answer, not a failure). Rejects with GatewayError `iq-timeout`,
   * `link-down`, `link-lost`, `iq-conflict`, `queue-full` or `shutting-down`; before anything is
   * written, with the wire check's `invalid-character`, `not-well-formed` or `stanza-too-large`.
   */
  async request(iq: Stanza, timeoutMs: number): Promise<Stanza> {
    const xml = this.#wire(iq);
    const started = performance.now();
    const waiter = this.#iqs.expect(iq, timeoutMs);
    try {
      await this.#outbound.send(xml, { deadlineMs: timeoutMs, until: 'written' });
      waiter.sent();
      this.#counted('out', 'iq');
    } catch (error) {
      waiter.cancel(error instanceof GatewayError ? error : new GatewayError('internal', { cause: error }));
    }
    try {
      const reply = await waiter.reply;
      this.events.emit('iq', (performance.now() - started) / 1000, reply.type ?? 'result');
      return reply;
    } catch (error) {
      this.events.emit(
        'iq',
        (performance.now() - started) / 1000,
        error instanceof GatewayError ? error.kind : 'internal',
      );
      throw error;
    }
  }

  /**
   * Takes inbound stanzas that a request in progress collects (an archive query's results) off
   * the inbound bus: `take` returns true for each it keeps. Until the returned function is called.
   */
  intercept(take: (stanza: Stanza) => boolean): () => void {
    this.#interceptors.add(take);
    return () => this.#interceptors.delete(take);
  }

  /** Takes on inbound iq get/set requests (iq-callee.ts); returns the removal. */
  addIqAnswerer(priority: number, answer: IqAnswerer): () => void {
    return this.#callee.add(priority, answer);
  }

  /**
   * Everything written to the server passes the codec's wire check here (throws GatewayError),
   * and the acting check (a leader whose lease may have ended sends nothing: `standby`).
   */
  #wire(stanza: Stanza): string {
    if (!this.#mayAct()) throw new GatewayError('standby', { retryAfterSeconds: 1 });
    return stanza.toWire(this.options.maxStanzaBytes);
  }

  #counted(direction: 'in' | 'out', kind: StanzaKind): void {
    this.#counters[direction][kind] += 1;
    this.events.emit('stanza', direction, kind);
  }

  /** An iq whose time ran out before the socket took it: backed up while online, else the link. */
  #notSent(): GatewayError {
    if (this.#link.online) return new GatewayError('iq-timeout');
    return new GatewayError('link-down', { retryAfterSeconds: this.#link.retryAfterSeconds() });
  }

  #receive(element: Element): void {
    this.#liveness.heard();
    if (this.#outbound.acknowledge(element)) return;
    const stanza = decodeInbound(element, this.options.domain);
    if (!stanza) {
      this.log.warn({ name: element.name }, 'dropped an inbound element that is not a valid stanza');
      return;
    }
    this.#counted('in', stanza.kind);
    if (this.#iqs.settle(stanza)) return;
    if (this.#outbound.takeBounce(stanza)) return;
    for (const take of this.#interceptors) if (take(stanza)) return;
    this.inbound.publish(stanza, (error) =>
      this.log.error({ err: error, id: stanza.id }, 'an inbound listener failed'),
    );
    // After the bus: an answerer may rely on what the bus's listeners saw (inbound-subscriptions.ts).
    this.#callee.receive(stanza);
  }

  #sendReply(reply: Stanza): void {
    this.reply(reply).catch((error: unknown) =>
      this.log.warn({ err: error, to: reply.to.toString(), id: reply.id }, 'could not send an iq reply'),
    );
  }
}
