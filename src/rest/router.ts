import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import type { Unavailable } from '../http/http-server.ts';
import { abandonBody } from '../http/read-body.ts';
import type { RestContext } from './context.ts';
import { respondError } from './respond.ts';
import { matchRoutes } from './routes.ts';

/** While the gateway stops, or stands by: the contract's 503 body, as for any other failure. */
export function refuseUnavailable(
  req: IncomingMessage,
  res: ServerResponse,
  why: Unavailable,
  ctx: Pick<RestContext, 'core'>,
): void {
  const error =
    why === 'standby'
      ? new GatewayError('standby', { retryAfterSeconds: 1 })
      : new GatewayError('shutting-down', { retryAfterSeconds: 5 });
  respondError(req, res, error, ctx.core.domain);
}

/**
 * Dispatches /rest requests to the routes (routes.ts). A path several routes match (e.g.
 * /rest/message/chat/bob@localhost: a POST route and a GET shortcut) is answered by the one for
 * the method; none of them: 405 with Allow. Failures of any handler become the contract's
 * error bodies here, in one place.
 */
export function createRestHandler(ctx: RestContext) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    try {
      const matches = matchRoutes(pathname);
      if (matches.length === 0) throw new GatewayError('not-found');
      const method = req.method ?? 'GET';
      const allowed = [...new Set(matches.map(({ route }) => route.method)), 'OPTIONS'];
      if (method === 'OPTIONS') {
        ctx.cors.preflight(req, res, allowed);
        return;
      }
      ctx.cors.apply(req, res);
      const match = matches.find(({ route }) => route.method === method);
      if (!match) {
        res.setHeader('Allow', allowed.join(', '));
        throw new GatewayError('method-not-allowed');
      }
      await match.route.handle(req, res, ctx, match.params());
    } catch (caught) {
      if (!isGatewayError(caught) && (req.errored || res.destroyed)) {
        ctx.log.debug({ path: pathname }, 'client went away during a /rest request');
        return;
      }
      const error = isGatewayError(caught) ? caught : new GatewayError('internal', { cause: caught });
      if (error.kind === 'internal') ctx.log.error({ err: caught, path: pathname }, 'unexpected failure in /rest');
      abandonBody(req, res);
      if (!res.headersSent && !res.destroyed) respondError(req, res, error, ctx.core.domain);
    }
  };
}
