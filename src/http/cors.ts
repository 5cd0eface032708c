import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS for browser callers of /rest: only the configured origins get Access-Control headers
 * (none by default, so browsers on other sites cannot read responses). Preflights are answered
 * 204 whatever the origin; without the headers the browser stops there by itself.
 */
export class CorsPolicy {
  readonly #origins: Set<string>;
  readonly #any: boolean;

  constructor(origins: readonly string[]) {
    this.#any = origins.includes('*');
    this.#origins = new Set(origins);
  }

  /** Adds the response headers for an allowed origin. */
  apply(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined || !(this.#any || this.#origins.has(origin))) return;
    res.setHeader('Access-Control-Allow-Origin', this.#any ? '*' : origin);
    res.setHeader('Vary', 'Origin');
  }

  preflight(req: IncomingMessage, res: ServerResponse, methods: readonly string[]): void {
    this.apply(req, res);
    if (res.hasHeader('Access-Control-Allow-Origin')) {
      res.setHeader('Access-Control-Allow-Methods', methods.join(', '));
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept, Prosody-Rest-Timeout');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.setHeader('Allow', methods.join(', '));
    res.writeHead(204).end();
  }
}
