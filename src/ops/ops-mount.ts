import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { BearerAuth } from '../auth/bearer-auth.ts';
import type { Mount } from '../http/http-server.ts';
import { type GatewayRole, serves } from '../ha/role.ts';
import { type ReadinessCheck, readiness } from './readiness.ts';

/**
 * /healthz (the process answers), /readyz (it can do its work) and /metrics (Prometheus).
 * Unauthenticated, like most probes, and served past the connection cap (the probe reserve).
 * /readyz names its failing checks to anybody, but their reasons (database and link errors,
 * which may name hosts and users) only to a caller with an API token (a scoped one with `status`); a token that is not
 * accepted is treated as none, so a rotated token never fails a probe.
 */
const PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

function hasToken(req: IncomingMessage, auth: BearerAuth): boolean {
  try {
    // A scoped token sees the reasons only with `status`.
    return auth.check(req.headers.authorization).may('status');
  } catch {
    return false;
  }
}

/**
 * `role` (src/ha/role.ts) is in both bodies: a standby is alive (/healthz 200) but not ready
 * (/readyz 503 with `"role":"standby"`), so that a load balancer sends traffic to the leader only.
 */
export function createOpsMount(
  registry: Registry,
  checks: readonly ReadinessCheck[],
  auth: BearerAuth,
  role: () => GatewayRole = () => 'single',
  /** What a standby's /readyz reports besides its role (its election's database). */
  standbyChecks: readonly ReadinessCheck[] = [],
): Mount {
  return {
    probe: true,
    matches: (path) => PATHS.has(path),
    async handle(req: IncomingMessage, res: ServerResponse, path: string) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const current = role();
      if (path === '/healthz') return json(res, 200, { status: 'ok', role: current });
      if (path === '/readyz') {
        const serving = serves(current);
        const report = await readiness(serving ? checks : standbyChecks);
        const detailed = hasToken(req, auth);
        const shown = Object.fromEntries(
          Object.entries(report.checks).map(([name, reason]) => [
            name,
            detailed || reason === 'ok' ? reason : 'failing',
          ]),
        );
        const ready = serving && report.ready;
        return json(res, ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready',
          role: current,
          checks: shown,
        });
      }
      res.writeHead(200, { 'Content-Type': registry.contentType }).end(await registry.metrics());
    },
  };
}
