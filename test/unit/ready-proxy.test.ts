import assert from 'node:assert/strict';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { isListening } from '../../src/demo/ports.ts';
import { createReadyProxy, type ReadyProxy, type ReadyProxyOptions } from '../../src/demo/ready-proxy.ts';
import { waitUntil } from '../support/wait.ts';

/** An HTTP backend whose /readyz the test flips; every other path answers its name. */
interface Backend {
  name: string;
  port: number;
  ready: boolean;
  server: Server;
  /** Open connections to it right now. */
  connections(): number;
  /** Gone at once, as a process killed with SIGKILL: listener and connections. */
  kill(): Promise<void>;
}

async function backend(name: string, ready: boolean): Promise<Backend> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (req.url === '/readyz') res.writeHead(state.ready ? 200 : 503).end(state.ready ? 'ready' : 'not ready');
    else res.writeHead(200, { 'Content-Type': 'text/plain' }).end(name);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A WebSocket-like upgrade: 101, then it echoes what it gets.
  server.on('upgrade', (_req, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const state: Backend = {
    name,
    ready,
    server,
    port: (server.address() as AddressInfo).port,
    connections: () => sockets.size,
    kill: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return state;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

/** One request through the proxy (a new connection unless `agent` keeps one alive). */
function get(port: number, path: string, agent?: Agent, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', agent: agent ?? false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: text, socket: req.socket! }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const POLL_MS = 50;

describe('ready proxy (the load balancer stand-in)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(ready: boolean[], options: Partial<ReadyProxyOptions> = {}) {
    const backends = await Promise.all(ready.map((isReady, index) => backend(`backend ${index}`, isReady)));
    cleanups.push(async () => {
      for (const one of backends) if (one.server.listening) await one.kill();
    });
    const proxy = createReadyProxy({ backends: backends.map(({ port }) => ({ port })), pollMs: POLL_MS, ...options });
    const changes: (number | undefined)[] = [];
    proxy.onChange((target) => changes.push(target?.index));
    const port = await proxy.start();
    cleanups.push(() => proxy.stop());
    return { backends, proxy, port, changes };
  }

  const settledOn = (proxy: ReadyProxy, index: number | undefined) =>
    waitUntil(() => proxy.current()?.index === index, 2000, `the proxy to choose ${String(index)}`);

  it('sends each connection to the backend whose /readyz answers 200, and says which it is', async () => {
    const { proxy, port, backends, changes } = await setUp([false, true, false]);
    await settledOn(proxy, 1);
    assert.deepEqual(proxy.current(), { index: 1, host: '127.0.0.1', port: backends[1]!.port });
    for (let i = 0; i < 3; i += 1) assert.equal((await get(port, '/who')).body, 'backend 1');
    assert.equal((await get(port, '/who', undefined, 'a body')).body, 'backend 1');
    assert.deepEqual(changes, [1]);
  });

  it('switches within about one poll interval when readiness flips, and keeps a choice that stays ready', async () => {
    const { proxy, port, backends, changes } = await setUp([true, true]);
    // Both ready from the start: the lowest index.
    await settledOn(proxy, 0);
    assert.equal((await get(port, '/who')).body, 'backend 0');

    const flipped = Date.now();
    backends[0]!.ready = false;
    await settledOn(proxy, 1);
    const tookMs = Date.now() - flipped;
    assert.ok(tookMs < POLL_MS * 2 + 150, `switched after ${tookMs} ms (poll ${POLL_MS} ms)`);
    assert.equal((await get(port, '/who')).body, 'backend 1');

    // Ready again, and lower: the current one stays while it is ready (no flapping back).
    backends[0]!.ready = true;
    await sleep(POLL_MS * 4);
    assert.equal(proxy.current()?.index, 1);
    assert.equal((await get(port, '/who')).body, 'backend 1');
    assert.deepEqual(changes, [0, 1]);
  });

  it('answers 503 with Retry-After: 1 while no backend is ready, and announces it', async () => {
    const { proxy, port, backends, changes } = await setUp([true, false]);
    await settledOn(proxy, 0);
    backends[0]!.ready = false;
    await settledOn(proxy, undefined);
    assert.deepEqual(changes, [0, undefined]);
    for (const body of [undefined, 'x'.repeat(100_000)]) {
      const answer = await get(port, '/rest', undefined, body);
      assert.equal(answer.status, 503);
      assert.equal(answer.headers['retry-after'], '1');
      assert.equal(answer.headers.connection, 'close');
    }
    backends[1]!.ready = true;
    await settledOn(proxy, 1);
    assert.equal((await get(port, '/who')).body, 'backend 1');
  });

  it('a backend that died since its last probe: the connection gets the 503, not a reset', async () => {
    // Probes far apart: the proxy still believes in backend 0 when the request comes.
    const { proxy, port, backends } = await setUp([true], { pollMs: 60_000 });
    await settledOn(proxy, 0);
    await backends[0]!.kill();
    const answer = await get(port, '/rest');
    assert.equal(answer.status, 503);
    assert.equal(answer.headers['retry-after'], '1');
  });

  it('closes a kept-alive connection when its backend dies; the next one goes to the new choice', async () => {
    const { proxy, port, backends } = await setUp([true, true]);
    await settledOn(proxy, 0);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => agent.destroy());
    const first = await get(port, '/who', agent);
    const second = await get(port, '/who', agent);
    assert.equal(second.socket, first.socket, 'one kept-alive connection');
    assert.equal(second.body, 'backend 0');

    const closed = new Promise<void>((resolve) => first.socket.once('close', () => resolve()));
    await backends[0]!.kill();
    await closed;
    await settledOn(proxy, 1);
    const third = await get(port, '/who', agent);
    assert.notEqual(third.socket, first.socket);
    assert.equal(third.body, 'backend 1');
  });

  it('passes an upgraded connection (WebSocket, SSE) through as raw bytes', async () => {
    const { proxy, port } = await setUp([true]);
    await settledOn(proxy, 0);
    const socket = connect(port, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    socket.write('GET /graphql HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    await waitUntil(() => received.includes('101 Switching Protocols'), 2000, 'the 101');
    socket.write('ping after the upgrade');
    await waitUntil(() => received.endsWith('ping after the upgrade'), 2000, 'the echo');
  });

  it('stop() closes the listener, every piped connection and its polling, and leaves nothing behind', async () => {
    const { proxy, port, backends } = await setUp([true]);
    await settledOn(proxy, 0);
    const before = resources();
    const agent = new Agent({ keepAlive: true });
    cleanups.push(async () => agent.destroy());
    const open = await get(port, '/who', agent);
    const closed = new Promise<void>((resolve) => open.socket.once('close', () => resolve()));
    await waitUntil(() => backends[0]!.connections() >= 1, 2000, 'the piped connection');

    await proxy.stop();
    await closed;
    assert.equal(proxy.current(), undefined);
    await waitUntil(() => backends[0]!.connections() === 0, 2000, 'the backend side to close');
    assert.equal(await isListening(port), false, 'nothing listens on the port any more');
    // The proxy held a listener, probe sockets and timers: none of them is left.
    agent.destroy();
    await waitUntil(
      () => count(resources(), 'Timeout') === 0 && count(resources(), 'TCPSocketWrap') === 0,
      2000,
      `no timer or socket left (${resources().join(', ')}; before: ${before.join(', ')})`,
    );
    assert.equal(count(resources(), 'TCPServerWrap'), backends.length, 'only the backends listen');
  });
});

const resources = () => process.getActiveResourcesInfo();
const count = (list: string[], kind: string) => list.filter((name) => name === kind).length;
