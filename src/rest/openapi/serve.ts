import type { IncomingMessage, ServerResponse } from 'node:http';
import { components } from './components.ts';
import { paths } from './paths.ts';

/** GET /rest/openapi.json: the OpenAPI 3 description of /rest (public, built once). */
export const openApiDocument = {
  openapi: '3.0.3',
  info: {
    title: 'Stanza Gateway /rest',
    version: '1',
    description:
      "Prosody mod_rest's HTTP API for XMPP: send stanzas in XML, JSON or form fields, iqs answered in the same request, GET shortcuts for common queries. Replies follow Accept, then the request's Content-Type.",
  },
  security: [{ bearer: [] }],
  paths,
  components,
};

let body: string | undefined;

export function serveOpenApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.resume();
  body ??= JSON.stringify(openApiDocument);
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
  return Promise.resolve();
}
