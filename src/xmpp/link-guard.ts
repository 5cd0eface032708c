import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Element } from 'ltx';
import type { Logger } from '../log.ts';
import type { GatedConnection, LinkGate } from './link.ts';
import {
  busyXml,
  classify,
  forwardBusyXml,
  forwardProbeXml,
  type LinkElement,
  probeId,
  probeIdPrefix,
  probeXml,
  type ProbeRole,
  relayXml,
} from './link-probe.ts';

/**
 * One live link per component domain, on every server. Prosody refuses a second connection for
 * a domain (`conflict`); ejabberd accepts it and then spreads the domain's traffic over both,
 * iq replies included. So an authenticated connection goes online only through this guard:
 *
 * - It sends PROBES probes to random addresses at its own domain. All come back: it is alone and
 *   goes online. One is answered `busy` (the serving connection answers probes that are not its
 *   own), or some do not come back within the check timeout: another connection serves, and this
 *   one stays connected in standby (not online: sends wait or fail with 503, /readyz says why).
 *   The server routes a `busy` answer to any connection of the domain, the serving one included:
 *   whoever gets one that is not for its own probes sends it on. Were they dropped there, every
 *   answer of a check would be lost about once in a hundred checks (each probe: 1/2 that it
 *   reaches the serving one, then 1/2 that its answer comes back there), and such a check would
 *   last the whole timeout, delaying a standby's take-over by as much.
 * - Only the answer to a probe of the current check counts: one from an earlier check (sent on
 *   for a while, or slow) says nothing about now, when the serving one may have gone.
 * - While checking it holds what reaches it; in standby it relays every stanza that reaches it to
 *   the serving connection (an envelope to a random address at the domain, sent on again by
 *   whoever is not serving), so nothing is split, lost or delivered twice.
 * - It checks again every `checkIntervalMs`, and at once when a relay keeps coming back: when
 *   the serving connection is gone, all probes come back and the standby takes over.
 * - A serving connection checks too: should two ever serve (started at the same instant), the
 *   one with the lower nonce gives way.
 *
 * 16 probes: with the traffic spread evenly over two connections, all come back to the newcomer
 * by chance once in 65536 checks.
 */
export const PROBES = 16;
/** A probe, `busy` answer or relay sent on this many times went round in circles: nobody is there for it. */
const MAX_HOPS = 32;
/** Stanzas held during one check (it lasts at most the check timeout); past it they are delivered. */
const HOLD_MAX = 10_000;

export interface LinkGuardOptions {
  domain: string;
  checkIntervalMs: number;
  checkTimeoutMs: number;
}

interface Round {
  number: number;
  pending: Set<string>;
  timer: NodeJS.Timeout;
  /** A serving connection's nonce, when one answered busy. */
  busy: string | undefined;
}

type Role = 'idle' | ProbeRole;

interface GuardEvents {
  /** A stanza for the core: received while serving, or released after a check. */
  stanza: [Element];
}

export class LinkGuard extends EventEmitter<GuardEvents> implements LinkGate {
  #connection: GatedConnection | undefined;
  #role: Role = 'idle';
  #nonce = '';
  #rounds = 0;
  #round: Round | undefined;
  #held: Element[] = [];
  #next: NodeJS.Timeout | undefined;
  #warnedPeers = new Set<string>();
  #relayed = 0;

  constructor(
    private readonly options: LinkGuardOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Stanzas this gateway relayed to the serving connection (in standby), since start. */
  get relayed(): number {
    return this.#relayed;
  }

  /** The authenticated connection: check before it goes online. */
  opened(connection: GatedConnection): void {
    this.#connection = connection;
    // Compared with other connections' to decide which serves: never reused across connections.
    this.#nonce = randomBytes(8).toString('hex');
    this.#role = 'checking';
    this.#warnedPeers.clear();
    this.#check();
  }

  /** The connection ended: what it still held reached this gateway, so it is handled here. */
  closed(): void {
    this.#connection = undefined;
    this.#role = 'idle';
    this.#endRound();
    clearTimeout(this.#next);
    this.#next = undefined;
    this.#flush('deliver');
  }

  /** Every element the link received. */
  receive(element: Element): void {
    const kind = classify(element, this.options.domain);
    switch (kind.type) {
      case 'stanza':
        return this.#route(element, 0);
      case 'relay':
        return this.#route(kind.inner, kind.hops);
      case 'probe':
        return this.#onProbe(kind);
      case 'busy':
        return this.#onBusy(kind);
      case 'junk':
        this.log.debug({ name: element.name }, 'dropped a malformed link-guard element');
    }
  }

  #route(stanza: Element, hops: number): void {
    if (this.#role === 'serving' || this.#role === 'idle') {
      this.emit('stanza', stanza);
    } else if (this.#role === 'checking') {
      if (this.#held.length < HOLD_MAX) this.#held.push(stanza);
      else this.emit('stanza', stanza);
    } else if (hops >= MAX_HOPS) {
      // Standby, and this went round: the serving connection seems gone. Keep it, look now.
      this.#held.push(stanza);
      this.#check();
    } else {
      this.#relay(stanza, hops + 1);
    }
  }

  #onProbe(probe: Extract<LinkElement, { type: 'probe' }>): void {
    if (probe.nonce === this.#nonce) {
      // Ours came back: one more draw that reached this connection.
      if (this.#round?.pending.delete(probe.id) && this.#round.pending.size === 0) this.#finish();
      return;
    }
    if (this.#role === 'serving') {
      this.#warnPeer(probe.nonce);
      this.#write(busyXml(this.options.domain, probe.element, this.#nonce));
      // Two serving at once: the lower nonce gives way.
      if (probe.role === 'serving' && probe.nonce > this.#nonce) this.#giveWay(probe.nonce);
      return;
    }
    // Two connections checking at the same time: the lower nonce gives way.
    const yieldTo = this.#role === 'checking' && this.#round !== undefined && probe.nonce > this.#nonce;
    // Not ours to answer: on to its sender or to the serving connection.
    if (probe.hops < MAX_HOPS) this.#write(forwardProbeXml(this.options.domain, probe));
    if (yieldTo) {
      this.#round!.busy ??= probe.nonce;
      this.#finish();
    }
  }

  #onBusy(busy: Extract<LinkElement, { type: 'busy' }>): void {
    if (!busy.id.startsWith(probeIdPrefix(this.#nonce))) {
      // The answer to another connection's probe: on to its sender.
      if (busy.hops < MAX_HOPS) this.#write(forwardBusyXml(this.options.domain, busy));
      return;
    }
    const round = this.#round;
    if (!round?.pending.has(busy.id)) return;
    if (this.#role === 'serving') {
      if (busy.nonce > this.#nonce) this.#giveWay(busy.nonce);
      return;
    }
    round.busy ??= busy.nonce;
    this.#finish();
  }

  #check(): void {
    if (this.#round || !this.#connection) return;
    clearTimeout(this.#next);
    this.#rounds += 1;
    const role = this.#role === 'idle' ? 'checking' : this.#role;
    const ids = Array.from({ length: PROBES }, (_, i) => probeId(this.#nonce, this.#rounds, i));
    this.#round = {
      number: this.#rounds,
      pending: new Set(ids),
      // Neither timer keeps a process alive by itself: the connection does while it is open.
      timer: setTimeout(() => this.#finish(), this.options.checkTimeoutMs).unref(),
      busy: undefined,
    };
    this.#write(ids.map((id) => probeXml(this.options.domain, id, this.#nonce, role)).join(''));
  }

  #finish(): void {
    const round = this.#round;
    const connection = this.#connection;
    if (!round || !connection) return;
    this.#endRound();
    const alone = round.busy === undefined && round.pending.size === 0;
    if (this.#role === 'serving') {
      if (!alone && round.busy === undefined) {
        this.log.warn(
          { domain: this.options.domain, lost: round.pending.size },
          'probes to this component domain did not all come back: another connection that does not answer them shares the domain',
        );
      }
    } else if (alone) {
      if (this.#role === 'standby')
        this.log.info({ domain: this.options.domain }, 'the other connection is gone; taking over');
      this.#role = 'serving';
      connection.online();
      this.#flush('deliver');
    } else {
      const why = round.busy !== undefined ? 'answered busy' : `${round.pending.size} of ${PROBES} probes lost`;
      if (this.#role === 'checking') {
        this.log.warn(
          { domain: this.options.domain, why, retryInMs: this.options.checkIntervalMs },
          'another connection serves this component domain; staying offline in standby (relaying what reaches this one) until it goes',
        );
      }
      this.#role = 'standby';
      connection.standby(
        `another connection serves ${this.options.domain} (${why}); standing by, checking every ${this.options.checkIntervalMs} ms`,
      );
      this.#flush('relay');
    }
    this.#scheduleNext();
  }

  #giveWay(peer: string): void {
    const connection = this.#connection;
    if (!connection || this.#role !== 'serving') return;
    this.log.warn(
      { domain: this.options.domain, peer },
      'two connections served this component domain; this one gives way',
    );
    this.#role = 'standby';
    this.#endRound();
    connection.standby(`another connection serves ${this.options.domain}; standing by`);
    this.#scheduleNext();
  }

  #scheduleNext(): void {
    clearTimeout(this.#next);
    // Jitter, so that standbys that lost the same serving connection do not all check at once.
    const delay = this.options.checkIntervalMs * (0.8 + 0.4 * Math.random());
    this.#next = setTimeout(() => this.#check(), delay).unref();
  }

  #endRound(): void {
    if (this.#round) clearTimeout(this.#round.timer);
    this.#round = undefined;
  }

  #flush(how: 'deliver' | 'relay'): void {
    const held = this.#held;
    this.#held = [];
    for (const stanza of held) {
      if (how === 'deliver') this.emit('stanza', stanza);
      else this.#relay(stanza, 1);
    }
  }

  #relay(stanza: Element, hops: number): void {
    this.#relayed += 1;
    this.#write(relayXml(this.options.domain, stanza, hops));
  }

  #warnPeer(peer: string): void {
    if (this.#warnedPeers.has(peer)) return;
    this.#warnedPeers.add(peer);
    this.log.warn(
      { domain: this.options.domain, peer },
      'another connection for this component domain is checking; it stays in standby while this one serves',
    );
  }

  #write(xml: string): void {
    this.#connection?.write(xml).catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not write to the XMPP connection (link guard)');
    });
  }
}
