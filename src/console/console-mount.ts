import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Mount } from '../http/http-server.ts';
import type { Logger } from '../log.ts';
import { buildConsole, type ConsoleAsset, type ConsoleAssets } from './console-build.ts';

/**
 * `/console`: the web console's files, built on first use and kept in memory. The page needs no
 * token (it asks for one and talks only to /graphql, like any other client); the strict content
 * security policy keeps everything on this origin: no inline script, nothing from elsewhere.
 */
export const CONSOLE_PATH = '/console';

const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function contentSecurityPolicy(host: string | undefined): string {
  // 'self' covers same-origin WebSockets in current browsers; the explicit ws: origin is for
  // those that predate that rule. The Host is echoed only when it looks like one.
  const socket = host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${socket}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function encodingFor(req: IncomingMessage): 'br' | 'gzip' | undefined {
  const accepted = new Set<string>();
  for (const item of String(req.headers['accept-encoding'] ?? '').split(',')) {
    const [name = '', ...params] = item.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

function send(req: IncomingMessage, res: ServerResponse, file: ConsoleAsset): void {
  const encoding = encodingFor(req);
  const body = encoding === 'br' ? file.brotli : encoding === 'gzip' ? file.gzip : file.body;
  const headers: Record<string, string> = {
    ...HEADERS,
    'Content-Security-Policy': contentSecurityPolicy(req.headers.host),
    'Content-Type': file.contentType,
    'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ETag: file.etag,
    Vary: 'Accept-Encoding',
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  if (encoding) headers['Content-Encoding'] = encoding;
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function refuse(res: ServerResponse, status: number, error: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': 'application/json', ...extra }).end(JSON.stringify({ error }));
}

export interface ConsoleMount extends Mount {
  /** Builds the files now rather than at the first request (the demo does, so its first page is quick). */
  warm(): Promise<void>;
}

export function createConsoleMount(log: Logger, build: () => Promise<ConsoleAssets> = buildConsole): ConsoleMount {
  let assets: Promise<ConsoleAssets> | undefined;
  const load = () => {
    if (!assets) {
      const started = performance.now();
      assets = build().then(
        (built) => {
          log.debug({ ms: Math.round(performance.now() - started) }, 'console built');
          return built;
        },
        (error: unknown) => {
          // Not kept: the next request tries again.
          assets = undefined;
          throw error;
        },
      );
    }
    return assets;
  };

  return {
    matches: (path) => path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`),
    // Files only: on a standby its GraphQL requests get the 503 that says so.
    servesStandby: true,
    async handle(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        refuse(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
        return;
      }
      // Relative asset URLs need the trailing slash.
      if (pathname === CONSOLE_PATH) {
        res.writeHead(308, { ...HEADERS, Location: `${CONSOLE_PATH}/` }).end();
        return;
      }
      const name = pathname.slice(CONSOLE_PATH.length + 1) || 'index.html';
      let built: ConsoleAssets;
      try {
        built = await load();
      } catch (error) {
        log.error({ err: error }, 'the console could not be built');
        refuse(res, 500, 'the console could not be built; see the gateway log');
        return;
      }
      const file = built.get(name);
      if (!file) refuse(res, 404, 'not found');
      else send(req, res, file);
    },
    async warm() {
      await load();
    },
  };
}
