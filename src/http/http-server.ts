import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import type { RequestTracker } from './request-tracker.ts';

/**
 * The one HTTP listener. Each face (/rest, /graphql, health) is a mount that claims a path;
 * the listener only dispatches and guarantees that no failure escapes as a crash.
 */
export interface Mount {
  matches(pathname: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> | void;
  /** Answers a request refused because the gateway is stopping, in this face's own format. */
  refuseStopping?(req: IncomingMessage, res: ServerResponse): void;
}

function pathnameOf(req: IncomingMessage): string {
  const raw = req.url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

export function createHttpServer(mounts: readonly Mount[], log: Logger, tracker?: RequestTracker): Server {
  const dispatch = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = pathnameOf(req);
    const started = performance.now();
    const mount = mounts.find((candidate) => candidate.matches(pathname));
    if (tracker?.draining) {
      res.setHeader('Connection', 'close');
      if (mount?.refuseStopping) mount.refuseStopping(req, res);
      else
        res
          .writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '5' })
          .end(JSON.stringify({ error: 'shutting down' }));
      return;
    }
    tracker?.begin();
    // Path only: a query string may carry what should not be logged.
    res.once('close', () => {
      tracker?.end();
      log.debug(
        { method: req.method, path: pathname, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'http request',
      );
    });
    try {
      if (!mount) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
        return;
      }
      await mount.handle(req, res, pathname);
    } catch (error) {
      log.error({ err: error, path: pathname }, 'unhandled failure in an HTTP handler');
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
      } else {
        res.destroy();
      }
    }
  };
  const server = createServer(
    { requestTimeout: 60_000, headersTimeout: 30_000 },
    (req, res) => void dispatch(req, res),
  );
  // Handlers decide when to send "100 Continue" (readBody), so that a refused request (bad
  // token, media type, declared size) is answered before the client sends its body.
  server.on('checkContinue', (req, res) => void dispatch(req, res));
  server.on('clientError', (error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    log.debug({ err: error }, 'malformed HTTP request');
  });
  return server;
}
