import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * GET /rest: what is here (mod_rest redirects to its demo page). Public, like the OpenAPI
 * document: it holds nothing but the routes.
 */
const index = JSON.stringify({
  name: 'Stanza Gateway /rest (Prosody mod_rest contract)',
  openapi: '/rest/openapi.json',
  routes: [
    'POST /rest',
    'POST /rest/{kind}/{type}/{to}',
    'POST /rest/echo',
    'GET /rest/{query}/{to}',
    'GET /rest/openapi.json',
  ],
});

export function restIndex(req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(index);
  return Promise.resolve();
}
