import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Bounds the descriptors HTTP clients can hold. Node's own `maxConnections` only refuses new
 * connections, so a flood of idle ones would lock everybody out, probes included. Here, at the
 * cap:
 * 1. the connection idle for longest (no request in progress: never sent one, or kept alive
 *    after its response) is closed to make room, so idle floods cannot starve active callers;
 * 2. when every connection is busy, a new one may still take a place in a small reserve that
 *    serves the probes only (/healthz, /readyz, /metrics): an orchestrator keeps seeing the
 *    process alive under real load; anything else asked there gets 503;
 * 3. past the reserve, the new connection is closed at once.
 * WebSockets count (their descriptor is as real) and are never idle: graphql-ws itself closes
 * sockets that do not authenticate in time.
 */
export interface ConnectionLimits {
  max: number;
  probeReserve: number;
}

export type ShedReason = 'evicted-idle' | 'refused' | 'not-a-probe';

/** A reserve socket goes idle this long at most (it only ever serves one probe). */
const RESERVE_IDLE_MS = 2000;

export class ConnectionGuard {
  /** Sockets without a request in progress, oldest idle first (a Set keeps insertion order). */
  readonly #idle = new Set<Socket>();
  readonly #open = new Set<Socket>();
  readonly #reserve = new WeakSet<Socket>();
  #reserveOpen = 0;
  readonly #shed: Record<ShedReason, number> = { 'evicted-idle': 0, refused: 0, 'not-a-probe': 0 };
  readonly #shedListeners: ((reason: ShedReason) => void)[] = [];

  constructor(private readonly limits: ConnectionLimits) {}

  get max(): number {
    return this.limits.max;
  }

  /** Connections open now, in the main pool and in the probe reserve. */
  get open(): { main: number; reserve: number } {
    return { main: this.#open.size, reserve: this.#reserveOpen };
  }

  /** Connections shed since start, by reason. */
  get shed(): Readonly<Record<ShedReason, number>> {
    return this.#shed;
  }

  /** Called on each shed connection (metrics, a throttled log line). */
  onShed(listener: (reason: ShedReason) => void): void {
    this.#shedListeners.push(listener);
  }

  /** Whether this connection was let in beyond the cap, for the probes only. */
  isReserve(socket: Socket): boolean {
    return this.#reserve.has(socket);
  }

  /** A request on a reserve connection that is not a probe: counted, then refused by the caller. */
  refusedOnReserve(): void {
    this.#count('not-a-probe');
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#admit(socket));
    const busy = (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.#idle.delete(socket);
      res.once('close', () => {
        // Re-inserted: it is now the most recently idle.
        if (this.#open.has(socket) && !socket.destroyed) this.#idle.add(socket);
      });
    };
    server.on('request', busy);
    server.on('checkContinue', busy);
    server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
      this.#idle.delete(socket);
      // A reserve place is for one probe, not for a WebSocket.
      if (this.#reserve.has(socket)) {
        this.#count('not-a-probe');
        socket.destroy();
      }
    });
  }

  #admit(socket: Socket): void {
    if (this.#open.size >= this.limits.max) {
      const oldest = this.#idle.values().next();
      if (!oldest.done) {
        this.#forget(oldest.value);
        oldest.value.destroy();
        this.#count('evicted-idle');
      } else if (this.#reserveOpen < this.limits.probeReserve) {
        this.#reserve.add(socket);
        this.#reserveOpen += 1;
        socket.once('close', () => (this.#reserveOpen -= 1));
        // Node's HTTP server destroys a socket whose timeout fires when nobody else handles it.
        socket.setTimeout(RESERVE_IDLE_MS);
        return;
      } else {
        this.#count('refused');
        socket.destroy();
        return;
      }
    }
    this.#open.add(socket);
    this.#idle.add(socket);
    socket.once('close', () => this.#forget(socket));
  }

  #forget(socket: Socket): void {
    this.#open.delete(socket);
    this.#idle.delete(socket);
  }

  #count(reason: ShedReason): void {
    this.#shed[reason] += 1;
    for (const listener of this.#shedListeners) listener(reason);
  }
}
