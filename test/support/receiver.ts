import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A real local webhook receiver (node:http on 127.0.0.1): records every request and answers
 * what the test's handler says, including never answering or resetting the connection.
 * It can stop listening and listen again on the same port (connection refused meanwhile).
 */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as requested. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Answer =
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'hang'
  | 'reset'
  /** Headers and the start of a body, then the connection is cut. */
  | 'cut-body';

export type Handler = (request: ReceivedRequest) => Answer | Promise<Answer>;

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  handle(handler: Handler): void;
  waitFor(match: (request: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest>;
  matching(match: (request: ReceivedRequest) => boolean): ReceivedRequest[];
  /** Stops listening: connections are refused until listen(). */
  unlisten(): Promise<void>;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(handler: Handler = () => ({ status: 202 })): Promise<Receiver> {
  let current = handler;
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const hung = new Set<ServerResponse>();
  let port = 0;
  let server: Server;

  const make = () => {
    const created = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      const respond = async () => {
        const request = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        requests.push(request);
        const reply = await current(request);
        if (reply === 'hang') {
          hung.add(res);
          return;
        }
        if (reply === 'cut-body') {
          res.writeHead(200, { 'Content-Type': 'application/xmpp+xml', 'Content-Length': '100' }).write('<message>');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        }
        if (reply === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
      };
      req.on('end', () => void respond());
    });
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return created;
  };

  const listen = async () => {
    server = make();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : port;
  };
  const unlisten = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    hung.clear();
    await closed;
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    handle(next) {
      current = next;
    },
    async waitFor(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = requests.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error('the receiver got no matching request in time');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    matching: (match) => requests.filter(match),
    unlisten,
    listen,
    close: unlisten,
  };
}
