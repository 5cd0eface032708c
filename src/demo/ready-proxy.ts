import { get, type ClientRequest } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A load balancer in miniature, for the demo's replicas and for the tests of several gateways:
 * one port on loopback whose connections go, each whole, to the backend whose `GET /readyz` last
 * answered 200. It works at the TCP level (a connection is piped, not parsed), so HTTP keep-alive,
 * SSE and WebSocket upgrades all pass through as they would behind a real one; like a TCP
 * balancer it moves new connections only, and a piped one ends when either side closes it.
 *
 * Each backend is polled on its own (a backend that hangs delays nobody else's verdict). When
 * several are ready the choice is stable: the current one while it stays ready, otherwise the
 * lowest index. When none is, a new connection gets a minimal `503` with `Retry-After: 1`.
 */
export interface ProxyBackend {
  /** Default `127.0.0.1`. */
  host?: string;
  port: number;
}

export interface ReadyProxyOptions {
  backends: readonly ProxyBackend[];
  /** Where the proxy listens: default `127.0.0.1`, any free port. */
  host?: string;
  port?: number;
  /** How often each backend's /readyz is asked; default 200 ms. */
  pollMs?: number;
  /** A probe unanswered this long counts as not ready; default 1000 ms. */
  probeTimeoutMs?: number;
}

/** The backend new connections go to: its index in `backends`, and where it listens. */
export interface ProxyTarget {
  index: number;
  host: string;
  port: number;
}

export interface ReadyProxy {
  /** Listens and starts polling; resolves with the port it listens on. */
  start(): Promise<number>;
  /** Closes the listener, stops polling, and closes every connection through it. */
  stop(): Promise<void>;
  /** The port it listens on (after start()). */
  readonly port: number;
  /** Where new connections go now; undefined while no backend is ready. */
  current(): ProxyTarget | undefined;
  /** Called each time current() changes; returns a function that removes the listener. */
  onChange(listener: (target: ProxyTarget | undefined) => void): () => void;
}

const NONE_READY =
  'HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: 21\r\n' +
  'Connection: close\r\n\r\nno backend is ready\r\n';

/** How long a refused connection may take to send its request before it is closed anyway. */
const REFUSAL_LINGER_MS = 1000;

export function createReadyProxy(options: ReadyProxyOptions): ReadyProxy {
  const backends = options.backends.map((backend) => ({ host: backend.host ?? '127.0.0.1', port: backend.port }));
  const pollMs = options.pollMs ?? 200;
  const probeTimeoutMs = options.probeTimeoutMs ?? 1000;
  const ready = backends.map(() => false);
  const listeners = new Set<(target: ProxyTarget | undefined) => void>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const probes = new Set<ClientRequest>();
  let server: Server | undefined;
  let port = 0;
  let running = false;
  let chosen: number | undefined;

  const target = (index: number | undefined): ProxyTarget | undefined =>
    index === undefined ? undefined : { index, ...backends[index]! };

  function choose(): void {
    const next = chosen !== undefined && ready[chosen] ? chosen : ready.findIndex(Boolean);
    const index = next === -1 ? undefined : next;
    if (index === chosen) return;
    chosen = index;
    for (const listener of listeners) listener(target(index));
  }

  function later(delayMs: number, work: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, delayMs);
    timers.add(timer);
  }

  function probe(index: number): void {
    if (!running) return;
    const started = Date.now();
    const { host, port: backendPort } = backends[index]!;
    let settled = false;
    const settle = (isReady: boolean) => {
      if (settled) return;
      settled = true;
      probes.delete(request);
      request.destroy();
      if (!running) return;
      ready[index] = isReady;
      choose();
      later(Math.max(0, pollMs - (Date.now() - started)), () => probe(index));
    };
    // A fresh connection per probe (no agent): a pooled socket to a backend that died would
    // answer the next probe with an error only after the pool noticed.
    const request = get(
      { host, port: backendPort, path: '/readyz', agent: false, timeout: probeTimeoutMs },
      (response) => {
        // Destroyed with the request below before its body ends, it reports that as an error.
        response.on('error', () => {});
        response.resume();
        settle(response.statusCode === 200);
      },
    );
    probes.add(request);
    request.on('timeout', () => settle(false));
    request.on('error', () => settle(false));
  }

  function track(socket: Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    // Each side's failure closes both (below); the error itself is the peer's business.
    socket.on('error', () => socket.destroy());
  }

  /** The 503, once the client has sent its request (a response before it confuses some clients). */
  function refuse(client: Socket): void {
    const answer = () => {
      if (!client.destroyed) client.end(NONE_READY);
    };
    client.once('data', answer);
    client.resume();
    // Reading on until the client closes: closing with its request unread would reset the
    // connection, and the client might see the reset rather than the answer.
    client.setTimeout(REFUSAL_LINGER_MS, () => {
      answer();
      client.destroy();
    });
  }

  function pipeTo(client: Socket, index: number): void {
    const { host, port: backendPort } = backends[index]!;
    client.pause();
    const upstream = connect(backendPort, host);
    track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    // It died since its last probe: nothing has been sent yet, so the client gets the 503.
    upstream.once('error', () => {
      if (!connected && !client.destroyed) refuse(client);
    });
    upstream.on('close', () => {
      if (connected) client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }

  return {
    get port() {
      return port;
    },
    current: () => target(chosen),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (running) return port;
      const listening = createServer((client) => {
        track(client);
        if (chosen === undefined) refuse(client);
        else pipeTo(client, chosen);
      });
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
      });
      server = listening;
      port = (listening.address() as AddressInfo).port;
      running = true;
      backends.forEach((_, index) => probe(index));
      return port;
    },
    async stop() {
      if (!running) return;
      running = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const request of probes) request.destroy();
      probes.clear();
      const listening = server!;
      server = undefined;
      const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      // As new, for a later start(); no change is announced: nothing is being chosen any more.
      ready.fill(false);
      chosen = undefined;
    },
  };
}
