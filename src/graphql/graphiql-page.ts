import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assetUrls } from './graphiql-assets.ts';
import { exampleTabs } from './graphiql-examples.ts';

/**
 * The GraphiQL page: a few kilobytes of HTML that ask for an API token first and render GraphiQL
 * (from the cached assets) once the token is accepted, so the schema is fetched with it and no
 * error pane greets a newcomer. The token lives in the page's memory only: header persistence
 * is off and nothing is written to localStorage; a reload asks again. The page needs no token
 * itself. Its script and styles come from its own origin only (Content-Security-Policy).
 */
export interface GraphiqlPageOptions {
  title: string;
  endpoint: string;
  domain: string;
}

interface Page {
  html: Buffer;
  etag: string;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // GraphiQL and Monaco set inline styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script> data block: `<` escaped so no string can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function render(options: GraphiqlPageOptions): string {
  const config = {
    title: options.title,
    endpoint: options.endpoint,
    workers: assetUrls.workers,
    defaultTabs: exampleTabs(options.domain),
  };
  const title = escapeHtml(options.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · GraphiQL</title>
<link rel="icon" href="${assetUrls.favicon}">
<link rel="stylesheet" href="${assetUrls.style}">
<style>
html, body, .sgw-graphiql { height: 100%; margin: 0; }
.sgw-sign-in { max-width: 26rem; margin: 12vh auto; padding: 2rem; font: 15px/1.5 system-ui, sans-serif;
  border: 1px solid #d0d7de; border-radius: 8px; }
.sgw-sign-in h1 { font-size: 1.3rem; margin: 0 0 1rem; }
.sgw-sign-in label { display: block; font-weight: 600; margin-bottom: .3rem; }
.sgw-sign-in input { width: 100%; box-sizing: border-box; padding: .45rem; font: inherit; }
.sgw-sign-in button { margin-top: .8rem; padding: .45rem 1rem; font: inherit; cursor: pointer; }
.sgw-error { color: #b3261e; min-height: 1.5em; margin: .6rem 0 0; }
.sgw-hint { color: #57606a; font-size: .85rem; }
</style>
</head>
<body>
<form id="sign-in" class="sgw-sign-in" autocomplete="off">
<h1>${title}</h1>
<label for="token">API token</label>
<input id="token" name="token" type="password" required autofocus spellcheck="false">
<button type="submit">Open GraphiQL</button>
<p id="sign-in-error" class="sgw-error" role="alert"></p>
<p class="sgw-hint">One of the gateway's <code>API_TOKENS</code>. It stays in this page's memory: nothing is
stored in the browser, and reloading the page asks for it again.</p>
</form>
<div id="graphiql" class="sgw-graphiql" hidden></div>
<script id="graphiql-config" type="application/json">${scriptJson(config)}</script>
<script src="${assetUrls.page}"></script>
<script src="${assetUrls.script}"></script>
</body>
</html>
`;
}

export function createGraphiqlPage(options: GraphiqlPageOptions) {
  let page: Page | undefined;
  const build = (): Page => {
    const html = Buffer.from(render(options));
    return { html, etag: `"${createHash('sha256').update(html).digest('hex').slice(0, 16)}"` };
  };
  return {
    serve(req: IncomingMessage, res: ServerResponse): void {
      page ??= build();
      const headers = {
        'Content-Type': 'text/html; charset=utf-8',
        // Small, and revalidated each time (304) so that new asset versions are picked up.
        'Cache-Control': 'no-cache',
        ETag: page.etag,
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      };
      if (req.headers['if-none-match'] === page.etag) {
        res.writeHead(304, headers).end();
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Length': page.html.length });
      res.end(req.method === 'HEAD' ? undefined : page.html);
    },
  };
}

export type GraphiqlPage = ReturnType<typeof createGraphiqlPage>;
