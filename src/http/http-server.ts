import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.ts';
import type { ConnectionGuard } from './connection-guard.ts';
import { answerClientError } from './client-error.ts';
import type { RequestTracker } from './request-tracker.ts';

/**
 * The one HTTP listener. Each face (/rest, /graphql, health) is a mount that claims a path;
 * the listener only dispatches and guarantees that no failure escapes as a crash.
 */
export interface Mount {
  matches(pathname: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> | void;
  /**
   * Answers a request the gateway cannot serve now, in this face's own format: it is stopping,
   * or it is a standby (HA_ELECTION; the face may still answer what needs no link).
   */
  refuseUnavailable?(
    req: IncomingMessage,
    res: ServerResponse,
    why: Unavailable,
    pathname: string,
  ): Promise<void> | void;
  /** Probes are served on the connections reserved for them past the connection cap. */
  probe?: boolean;
  /** Served by a standby as by the leader (files that need neither the link nor the database). */
  servesStandby?: boolean;
}

export type Unavailable = 'stopping' | 'standby';

export interface HttpServerOptions {
  tracker?: RequestTracker;
  guard?: ConnectionGuard;
  /** Time for a request's headers, and for the whole request; past either, 408. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** True while another gateway serves the domain: the faces refuse (refuseUnavailable). */
  standby?: () => boolean;
}

function pathnameOf(req: IncomingMessage): string {
  const raw = req.url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function refuse(res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify({ error }));
}

export function createHttpServer(mounts: readonly Mount[], log: Logger, options: HttpServerOptions): Server {
  const { tracker, guard } = options;
  /** The response in progress on each connection, so a client error does not write over it. */
  const responses = new WeakMap<Socket, ServerResponse>();
  const dispatch = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = pathnameOf(req);
    const started = performance.now();
    const mount = mounts.find((candidate) => candidate.matches(pathname));
    if (guard?.isReserve(req.socket)) {
      // One probe per reserve place: the connection closes after it.
      res.setHeader('Connection', 'close');
      if (!mount?.probe) {
        guard.refusedOnReserve();
        refuse(res, 503, 'too many connections', { 'Retry-After': '1' });
        return;
      }
    }
    if (tracker?.draining) {
      res.setHeader('Connection', 'close');
      if (mount?.refuseUnavailable) await mount.refuseUnavailable(req, res, 'stopping', pathname);
      else refuse(res, 503, 'shutting down', { 'Retry-After': '5' });
      return;
    }
    const standby = mount !== undefined && !mount.probe && !mount.servesStandby && options.standby?.() === true;
    tracker?.begin();
    responses.set(req.socket, res);
    // Path only: a query string may carry what should not be logged.
    res.once('close', () => {
      tracker?.end();
      if (responses.get(req.socket) === res) responses.delete(req.socket);
      log.debug(
        { method: req.method, path: pathname, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'http request',
      );
    });
    try {
      if (!mount) {
        refuse(res, 404, 'not found');
        return;
      }
      if (!standby) await mount.handle(req, res, pathname);
      else if (mount.refuseUnavailable) await mount.refuseUnavailable(req, res, 'standby', pathname);
      else refuse(res, 503, 'standby: another gateway serves this domain', { 'Retry-After': '1' });
    } catch (error) {
      log.error({ err: error, path: pathname }, 'unhandled failure in an HTTP handler');
      if (!res.headersSent && !res.destroyed) refuse(res, 500, 'internal error');
      else res.destroy();
    }
  };
  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      // Node checks both timeouts every 30 s by default: a 10 s limit could hold for 40 s.
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
    },
    (req, res) => void dispatch(req, res),
  );
  // Handlers decide when to send "100 Continue" (readBody), so that a refused request (bad
  // token, media type, declared size) is answered before the client sends its body.
  server.on('checkContinue', (req, res) => void dispatch(req, res));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    answerClientError(error, socket, responses.get(socket));
    log.debug({ err: error }, 'HTTP client error');
  });
  guard?.attach(server);
  return server;
}
