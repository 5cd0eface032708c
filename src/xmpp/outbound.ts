import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Every outbound stanza goes through this queue. While the link is down, sends wait up to
 * their deadline and then fail with `link-down` (503); the queue is bounded (`queue-full`).
 * While it is up, one batch is written at a time and the next waits for the socket to accept
 * the previous one: writing as fast as requests arrive floods the server (DESIGN.md measured
 * a p99 of 1.8 s at 64 clients), and coalescing what queued meanwhile keeps throughput up.
 */
/** The part of the link the queue needs (XmppLink; a fake in unit tests). */
export interface LinkWriter {
  readonly online: boolean;
  write(data: string): Promise<void>;
  retryAfterSeconds(): number;
  on(event: 'online', listener: () => void): unknown;
}

export interface OutboundOptions {
  deadlineMs: number;
  queueMax: number;
}

interface Pending {
  xml: string;
  resolve: () => void;
  reject: (error: GatewayError) => void;
  timer: NodeJS.Timeout | undefined;
  deadlineAt: number;
  /** queued → writing → settled; an expired item stays in the array until the pump skips it. */
  state: 'queued' | 'writing' | 'settled';
}

const MAX_BATCH_ITEMS = 256;
const MAX_BATCH_BYTES = 256 * 1024;

export class OutboundQueue {
  #queue: Pending[] = [];
  #waiting = 0;
  #writing = false;
  #closed = false;

  constructor(
    private readonly link: LinkWriter,
    private readonly options: OutboundOptions,
  ) {
    link.on('online', () => this.#pump());
  }

  /** Stanzas accepted but not yet written. */
  get size(): number {
    return this.#waiting;
  }

  /**
   * Resolves when the socket has accepted the stanza. `deadlineMs` shortens the wait for the
   * link (an iq whose own timeout is nearer than the send deadline).
   */
  send(xml: string, deadlineMs = this.options.deadlineMs): Promise<void> {
    if (this.#closed) return Promise.reject(new GatewayError('shutting-down'));
    if (this.#waiting >= this.options.queueMax) {
      return Promise.reject(new GatewayError('queue-full', { retryAfterSeconds: 1 }));
    }
    return new Promise<void>((resolve, reject) => {
      const wait = Math.min(deadlineMs, this.options.deadlineMs);
      const item: Pending = { xml, resolve, reject, timer: undefined, deadlineAt: Date.now() + wait, state: 'queued' };
      item.timer = setTimeout(() => this.#expire(item), wait);
      this.#queue.push(item);
      this.#waiting += 1;
      void this.#pump();
    });
  }

  /** Fails everything still waiting: the gateway is stopping. */
  close(): void {
    this.#closed = true;
    for (const item of this.#queue.splice(0)) {
      if (item.state !== 'queued') continue;
      this.#settle(item);
      item.reject(new GatewayError('shutting-down'));
    }
  }

  #settle(item: Pending): void {
    clearTimeout(item.timer);
    item.state = 'settled';
    this.#waiting -= 1;
  }

  #expire(item: Pending): void {
    // An item being written is not expired: the write decides its fate.
    if (item.state !== 'queued') return;
    this.#settle(item);
    item.reject(new GatewayError('link-down', { retryAfterSeconds: this.link.retryAfterSeconds() }));
  }

  #takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    let taken = 0;
    for (; taken < this.#queue.length && batch.length < MAX_BATCH_ITEMS; taken += 1) {
      const next = this.#queue[taken]!;
      if (next.state !== 'queued') continue;
      if (batch.length > 0 && bytes + next.xml.length > MAX_BATCH_BYTES) break;
      bytes += next.xml.length;
      next.state = 'writing';
      batch.push(next);
    }
    this.#queue = taken === this.#queue.length ? [] : this.#queue.slice(taken);
    return batch;
  }

  async #pump(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && this.link.online) {
        const batch = this.#takeBatch();
        if (batch.length === 0) continue;
        try {
          await this.link.write(batch.map((item) => item.xml).join(''));
        } catch {
          // The connection broke under this write: whether the server read it is unknown. The
          // batch goes back to the front to be sent after reconnecting (at-least-once) unless
          // its deadline has passed meanwhile.
          const now = Date.now();
          for (const item of batch) item.state = 'queued';
          this.#queue = [...batch, ...this.#queue];
          for (const item of batch) if (item.deadlineAt <= now) this.#expire(item);
          break;
        }
        for (const item of batch) {
          this.#settle(item);
          item.resolve();
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}
