import { GatewayError } from '../errors/gateway-error.ts';
import { AckMarkers } from './ack-markers.ts';
import type { Stanza } from './codec/index.ts';
import { InFlight, type Pending } from './in-flight.ts';
import { WaitingLine } from './waiting-line.ts';

/**
 * Every outbound stanza goes through this queue. While the link is down, sends wait up to
 * their deadline and then fail with `link-down` (503); the queue is bounded (`queue-full`).
 * While it is up, one batch is written at a time, followed by an acknowledgement marker
 * (ack-markers.ts); a send resolves when the marker after it comes back, i.e. once the server
 * has processed it. At most `window` stanzas are written and not yet acknowledged: that bounds
 * what waits inside the server, hence the latency of a send (writing as fast as requests arrive
 * let Prosody's socket buffer hold half a second of work). Stanzas not acknowledged when the
 * connection breaks are written again after reconnecting (at-least-once, the same XML and id).
 */
/** The part of the link the queue needs (XmppLink; a fake in unit tests). */
export interface LinkWriter {
  readonly online: boolean;
  /** Refused by the server for good: waiting for it is pointless. */
  readonly failed: boolean;
  write(data: string): Promise<void>;
  retryAfterSeconds(): number;
  on(event: 'online' | 'offline' | 'failed', listener: () => void): unknown;
}

export interface OutboundOptions {
  deadlineMs: number;
  queueMax: number;
  /** Stanzas written but not yet acknowledged by the server, at most. */
  window: number;
  /** The component's domain: markers go from it to it. */
  domain: string;
}

export interface SendOptions {
  /** Shortens the wait (an iq whose own timeout is nearer than the send deadline). */
  deadlineMs?: number;
  /** An answer to a received stanza: still accepted while the gateway stops. */
  reply?: boolean;
  /**
   * `processed` (the default) resolves once the server has processed the stanza; `written`
   * once the socket took it, never to be written again (an iq request: its reply confirms it).
   */
  until?: 'processed' | 'written';
  /** The stanza as sent: an error the server returns for it becomes the send's result. */
  bounceOf?: Stanza;
}

function refusedForGood(): GatewayError {
  return new GatewayError('link-down', {
    text: 'The XMPP server refused the component for good (check XMPP_DOMAIN and XMPP_SECRET); restart after fixing it',
  });
}

export class OutboundQueue {
  readonly #queue = new WaitingLine();
  /** Accepted and not settled: queued or in flight. */
  #open = 0;
  #writing = false;
  #closed = false;
  readonly #markers: AckMarkers;
  readonly #inFlight = new InFlight();

  constructor(
    private readonly link: LinkWriter,
    private readonly options: OutboundOptions,
  ) {
    this.#markers = new AckMarkers(options.domain);
    link.on('online', () => void this.#pump());
    link.on('offline', () => this.#linkLost());
    link.on('failed', () => {
      for (const item of this.#queue.takeAll()) this.#fail(item, refusedForGood());
    });
  }

  /** Stanzas accepted and waiting to be written. */
  get size(): number {
    return this.#open - this.#inFlight.open;
  }

  /** Stanzas written and waiting for the server's acknowledgement. */
  get unacknowledged(): number {
    return this.#inFlight.open;
  }

  /** Entries in memory, expired ones not yet dropped included (bounded: see send()). */
  get held(): number {
    return this.#queue.length;
  }

  /**
   * Resolves once the server has processed the stanza (or the socket took it, `until:
   * 'written'`): with the server's error bounce for it when there was one (`bounceOf`).
   */
  send(xml: string, options: SendOptions = {}): Promise<Stanza | undefined> {
    // Replies to inbound iqs may still go out while the stream closes: exactly one reply each.
    if (this.#closed && !options.reply) return Promise.reject(new GatewayError('shutting-down'));
    if (this.link.failed) return Promise.reject(refusedForGood());
    if (this.#open >= this.options.queueMax) {
      return Promise.reject(new GatewayError('queue-full', { retryAfterSeconds: 1 }));
    }
    return new Promise<Stanza | undefined>((resolve, reject) => {
      const wait = Math.min(options.deadlineMs ?? this.options.deadlineMs, this.options.deadlineMs);
      const item: Pending = {
        xml,
        resolve,
        reject,
        timer: undefined,
        state: 'queued',
        acknowledged: options.until !== 'written',
        written: false,
        bounceOf: options.bounceOf,
      };
      item.timer = setTimeout(() => this.#expire(item), wait);
      this.#open += 1;
      this.#queue.push(item, this.#open);
      void this.#pump();
    });
  }

  /**
   * Takes an element read from the stream if it is one of our markers: everything written
   * before it is acknowledged. Returns false for anything else.
   */
  acknowledge(element: Parameters<AckMarkers['read']>[0]): boolean {
    const seq = this.#markers.read(element);
    if (seq === undefined) return false;
    for (const item of this.#inFlight.acknowledge(seq)) this.#settle(item, undefined);
    void this.#pump();
    return true;
  }

  /**
   * An error stanza for a stanza in flight, sent before the marker that covers it: the server
   * (or the recipient) refused it, and its sender gets the error as the answer. False when no
   * stanza in flight matches (the error then goes the usual inbound way).
   */
  takeBounce(error: Stanza): boolean {
    if (error.type !== 'error' || error.kind === 'iq') return false;
    const item = this.#inFlight.findBounced(error);
    if (!item) return false;
    this.#settle(item, error);
    return true;
  }

  /** When the oldest marker still unanswered was written (performance.now()), if any. */
  oldestUnanswered(): number | undefined {
    return this.#inFlight.oldestMarkerAt();
  }

  /** Writes a marker alone: the liveness ping. */
  ping(): void {
    if (!this.link.online) return;
    const marker = this.#markers.next();
    this.#inFlight.add([], marker.seq);
    this.link.write(marker.xml).catch(() => {
      // The connection broke under it: the link reports offline, which clears the flights.
    });
  }

  /** Resolves when nothing written waits for its acknowledgement, the link is down, or after timeoutMs. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inFlight.open > 0 && this.link.online && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Fails everything still waiting: the gateway is stopping. */
  close(): void {
    this.#closed = true;
    for (const item of this.#queue.takeAll()) this.#fail(item, new GatewayError('shutting-down'));
  }

  #settle(item: Pending, bounce: Stanza | undefined): void {
    if (item.state === 'settled') return;
    this.#finish(item);
    item.resolve(bounce);
  }

  /** Rejects an item: one being written for an iq request is left to its write. */
  #fail(item: Pending, error: GatewayError): void {
    if (item.state === 'settled' || (item.state === 'in-flight' && !item.acknowledged)) return;
    this.#finish(item);
    item.reject(error);
  }

  #finish(item: Pending): void {
    clearTimeout(item.timer);
    if (item.state === 'in-flight') this.#inFlight.open -= 1;
    item.state = 'settled';
    item.xml = '';
    this.#open -= 1;
  }

  #expire(item: Pending): void {
    // Written once: the server may have it. Online but never written: the socket is backed
    // up or the window full, not the link down.
    const error = item.written
      ? new GatewayError('unconfirmed', { retryAfterSeconds: this.link.online ? 1 : this.link.retryAfterSeconds() })
      : this.link.online
        ? new GatewayError('queue-full', { retryAfterSeconds: 1 })
        : new GatewayError('link-down', { retryAfterSeconds: this.link.retryAfterSeconds() });
    this.#fail(item, error);
  }

  /**
   * The connection ended: whatever is in flight and not settled goes back to the front, in
   * order, to be written again after reconnecting, unless its deadline passes first.
   */
  #linkLost(): void {
    const back = this.#inFlight.clear();
    if (this.#closed) {
      for (const item of back) this.#fail(item, new GatewayError('shutting-down'));
      return;
    }
    this.#queue.putBack(back);
  }

  async #pump(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && this.link.online) {
        const room = this.options.window - this.#inFlight.counted;
        if (room <= 0) break; // an acknowledgement pumps again
        const batch = this.#queue.takeBatch(room);
        if (batch.length === 0) continue;
        let data = '';
        for (const item of batch) {
          item.state = 'in-flight';
          item.written = true;
          data += item.xml;
        }
        this.#inFlight.open += batch.length;
        // Registered before the write: the marker may come back before the write callback.
        const marker = batch.some((item) => item.acknowledged) ? this.#markers.next() : undefined;
        const flight = this.#inFlight.add(batch, marker?.seq);
        try {
          await this.link.write(marker ? data + marker.xml : data);
        } catch {
          // The connection broke under this write: whether the server read it is unknown.
          this.#linkLost();
          break;
        }
        for (const item of batch) if (!item.acknowledged && item.state === 'in-flight') this.#settle(item, undefined);
        if (!marker) this.#inFlight.remove(flight);
      }
    } finally {
      this.#writing = false;
    }
  }
}
