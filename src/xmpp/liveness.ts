import type { Logger } from '../log.ts';
import type { XmppLink } from './link.ts';
import type { OutboundQueue } from './outbound.ts';

/**
 * Notices a server that stopped answering without closing the socket (hung, or a network path
 * that drops packets), which TCP alone reports only after minutes. When nothing has been heard
 * for `intervalMs`, a marker is written as a ping; when a marker (a ping, or the one after a
 * batch) is unanswered for `timeoutMs`, the link is declared dead.
 */
export interface LivenessOptions {
  intervalMs: number;
  timeoutMs: number;
}

export interface LivenessProbe {
  /** When the oldest unanswered marker was written (performance.now()), if there is one. */
  oldestUnanswered(): number | undefined;
  ping(): void;
  dead(reason: string): void;
}

export class LinkLiveness {
  #lastHeard = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: LivenessOptions,
    private readonly probe: LivenessProbe,
  ) {}

  /** Something arrived from the server. */
  heard(): void {
    this.#lastHeard = performance.now();
  }

  start(): void {
    this.stop();
    this.heard();
    // A quarter of the shorter period: a dead link is declared at most that late.
    const tick = Math.max(10, Math.min(this.options.intervalMs, this.options.timeoutMs) / 4);
    this.#timer = setInterval(() => this.#check(), tick);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = performance.now();
    const since = this.probe.oldestUnanswered();
    if (since !== undefined) {
      if (now - since < this.options.timeoutMs) return;
      this.stop();
      this.probe.dead(`the XMPP server did not answer within ${this.options.timeoutMs} ms`);
      return;
    }
    if (now - this.#lastHeard >= this.options.intervalMs) this.probe.ping();
  }
}

/** A watchdog for the link, pinging through the queue's markers: on while the link is online. */
export function watchLiveness(
  link: XmppLink,
  outbound: OutboundQueue,
  options: LivenessOptions,
  log: Logger,
): LinkLiveness {
  const liveness = new LinkLiveness(options, {
    oldestUnanswered: () => outbound.oldestUnanswered(),
    ping: () => outbound.ping(),
    dead: (reason) => {
      log.warn({ reason }, 'XMPP server not answering; dropping the link');
      link.kill(reason);
    },
  });
  link.on('online', () => liveness.start());
  link.on('offline', () => liveness.stop());
  return liveness;
}
