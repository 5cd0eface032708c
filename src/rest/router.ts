import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import { abandonBody } from '../http/read-body.ts';
import type { RestContext } from './context.ts';
import { postStanza } from './post-stanza.ts';
import { respondError } from './respond.ts';

/**
 * The /rest routes. A route is a path pattern and its handlers by method; mod_rest's GET
 * shortcuts (`/rest/ping/{jid}` …) and OpenAPI join as further rows. Failures of any handler
 * become the contract's error bodies here, in one place.
 */
type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RestContext, params: string[]) => Promise<void>;

interface Route {
  path: RegExp;
  methods: Partial<Record<string, Handler>>;
}

const routes: Route[] = [{ path: /^\/rest\/?$/, methods: { POST: (req, res, ctx) => postStanza(req, res, ctx) } }];

/** While the gateway stops: the contract's 503 body, as for any other failure. */
export function refuseStopping(req: IncomingMessage, res: ServerResponse, ctx: Pick<RestContext, 'core'>): void {
  respondError(req, res, new GatewayError('shutting-down', { retryAfterSeconds: 5 }), ctx.core.domain);
}

export function createRestHandler(ctx: RestContext) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    try {
      const route = routes.find((candidate) => candidate.path.test(pathname));
      if (!route) throw new GatewayError('not-found');
      const method = req.method ?? 'GET';
      const allowed = [...Object.keys(route.methods), 'OPTIONS'];
      if (method === 'OPTIONS') {
        ctx.cors.preflight(req, res, allowed);
        return;
      }
      ctx.cors.apply(req, res);
      const handler = route.methods[method];
      if (!handler) {
        res.setHeader('Allow', allowed.join(', '));
        throw new GatewayError('method-not-allowed');
      }
      const params = route.path.exec(pathname)!.slice(1);
      await handler(req, res, ctx, params);
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
