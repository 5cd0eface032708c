import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.ts';
import type { RestContext } from './context.ts';
import { echoStanza } from './echo.ts';
import { restIndex } from './index-page.ts';
import { serveOpenApi } from './openapi/serve.ts';
import { postStanza } from './post-stanza.ts';
import { queryShortcut } from './query-shortcut.ts';

/**
 * The /rest routes: a method, a path pattern (groups are the path parameters, percent-decoded)
 * and a handler. docs/rest.md and the OpenAPI document describe each; a test holds the three
 * together.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RestContext, params: string[]) => Promise<void>;

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle: Handler;
}

export const routes: readonly Route[] = [
  { method: 'POST', pattern: /^\/rest\/?$/, handle: (req, res, ctx) => postStanza(req, res, ctx) },
  { method: 'GET', pattern: /^\/rest\/?$/, handle: restIndex },
  { method: 'GET', pattern: /^\/rest\/openapi\.json$/, handle: serveOpenApi },
  { method: 'POST', pattern: /^\/rest\/echo$/, handle: echoStanza },
  {
    method: 'POST',
    pattern: /^\/rest\/(\w+)\/(\w+)\/(.*)$/,
    handle: (req, res, ctx, [kind, type, to]) => postStanza(req, res, ctx, { kind: kind!, type: type!, to: to! }),
  },
  { method: 'GET', pattern: /^\/rest\/(\w+)\/(.*)$/, handle: queryShortcut },
];

/** The routes whose pattern matches, with their decoded parameters. */
export function matchRoutes(pathname: string): { route: Route; params: () => string[] }[] {
  return routes.flatMap((route) => {
    const match = route.pattern.exec(pathname);
    return match ? [{ route, params: () => match.slice(1).map(decodeParam) }] : [];
  });
}

function decodeParam(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? '');
  } catch (error) {
    throw new GatewayError('not-well-formed', { cause: error });
  }
}
