import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Mount } from '../http/http-server.ts';
import { type ReadinessCheck, readiness } from './readiness.ts';

/**
 * /healthz (the process answers), /readyz (it can do its work, with reasons when not) and
 * /metrics (Prometheus). Unauthenticated, like most probes: the listener binds to loopback by
 * default; put it behind your network policy when you bind elsewhere.
 */
const PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

export function createOpsMount(registry: Registry, checks: readonly ReadinessCheck[]): Mount {
  return {
    matches: (path) => PATHS.has(path),
    async handle(req: IncomingMessage, res: ServerResponse, path: string) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') return json(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const report = await readiness(checks);
        return json(res, report.ready ? 200 : 503, {
          status: report.ready ? 'ready' : 'not ready',
          checks: report.checks,
        });
      }
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(await registry.metrics());
    },
  };
}
