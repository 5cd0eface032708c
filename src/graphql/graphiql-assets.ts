import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { writeBuffer } from '../http/write-buffer.ts';

/**
 * GraphiQL's files, served from this process (the page must work where the browser reaches no
 * CDN): yoga's GraphiQL bundle (about 9 MB of script, style and Monaco workers) and the
 * gateway's own page script. Each is a separate, immutable URL that carries its version, so a
 * browser downloads it once and then keeps it (`Cache-Control: immutable`). Bodies are built
 * once per process, when first asked for, and shared by every response: gzip when the client
 * accepts it (about a quarter of the size), written with backpressure, so that clients that
 * never read cost a descriptor each and no memory (the descriptors are bounded by the
 * connection cap and taken back by the stall timeout).
 */
export const ASSET_PREFIX = '/graphql/graphiql/';

/** A response making no progress for this long is cut (writeBuffer). */
const STALL_MS = 30_000;

type BundlePart = 'js' | 'css' | 'favicon' | 'editorWorkerService' | 'jsonWorker' | 'graphqlWorker';

interface AssetSource {
  type: string;
  load: () => Promise<Buffer>;
}

interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  gzip: Promise<Buffer>;
}

const require = createRequire(import.meta.url);
const bundleVersion = (require('@graphql-yoga/render-graphiql/package.json') as { version: string }).version;

/** The bundle is 9 MB of strings: loaded only when somebody opens GraphiQL. */
async function bundlePart(part: BundlePart): Promise<Buffer> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const text = bundle[part];
  if (part !== 'favicon') return Buffer.from(text);
  const base64 = /^data:[^;,]+;base64,(.*)$/s.exec(text)?.[1];
  if (base64 === undefined) throw new Error('unexpected GraphiQL favicon');
  return Buffer.from(base64, 'base64');
}

const pageScript = readFileSync(new URL('./graphiql-boot.js', import.meta.url));
const pageScriptVersion = createHash('sha256').update(pageScript).digest('hex').slice(0, 12);

const JS = 'text/javascript; charset=utf-8';

/** File name (as in the URL) → where its body comes from. */
const sources: Record<string, AssetSource> = {
  [`${bundleVersion}/graphiql.js`]: { type: JS, load: () => bundlePart('js') },
  [`${bundleVersion}/graphiql.css`]: { type: 'text/css; charset=utf-8', load: () => bundlePart('css') },
  [`${bundleVersion}/favicon.ico`]: { type: 'image/x-icon', load: () => bundlePart('favicon') },
  [`${bundleVersion}/editor.worker.js`]: { type: JS, load: () => bundlePart('editorWorkerService') },
  [`${bundleVersion}/json.worker.js`]: { type: JS, load: () => bundlePart('jsonWorker') },
  [`${bundleVersion}/graphql.worker.js`]: { type: JS, load: () => bundlePart('graphqlWorker') },
  [`${pageScriptVersion}/page.js`]: { type: JS, load: () => Promise.resolve(pageScript) },
};

/** The URLs the page refers to. */
export const assetUrls = {
  script: `${ASSET_PREFIX}${bundleVersion}/graphiql.js`,
  style: `${ASSET_PREFIX}${bundleVersion}/graphiql.css`,
  favicon: `${ASSET_PREFIX}${bundleVersion}/favicon.ico`,
  page: `${ASSET_PREFIX}${pageScriptVersion}/page.js`,
  workers: {
    editorWorkerService: `${ASSET_PREFIX}${bundleVersion}/editor.worker.js`,
    json: `${ASSET_PREFIX}${bundleVersion}/json.worker.js`,
    graphql: `${ASSET_PREFIX}${bundleVersion}/graphql.worker.js`,
  },
};

// Built once per process and shared by every app in it (the files do not depend on settings).
const built = new Map<string, Promise<Asset>>();

async function build(name: string, source: AssetSource): Promise<Asset> {
  const identity = await source.load();
  // zlib works on libuv's thread pool: the event loop stays free while the 5 MB script is packed.
  const packed = promisify(gzip)(identity, { level: 9 });
  packed.catch(() => {});
  return { type: source.type, etag: `"${name.replace('/', '-')}"`, identity, gzip: packed };
}

/** Whether Accept-Encoding allows gzip (RFC 9110 §12.5.3: `gzip` or `*` with a q above 0). */
export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = params.find((param) => param.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** Answers `GET|HEAD /graphql/graphiql/<version>/<file>`; 404 for any other name. */
export async function serveAsset(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const name = path.slice(ASSET_PREFIX.length);
  const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  if (!source) {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
    return;
  }
  let asset = built.get(name);
  if (!asset) {
    asset = build(name, source);
    built.set(name, asset);
  }
  const { type, etag, identity, gzip: packed } = await asset;
  const headers: Record<string, string | number> = {
    'Content-Type': type,
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: etag,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const body = acceptsGzip(req) ? await packed : identity;
  if (body !== identity) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await writeBuffer(res, body, STALL_MS);
}
