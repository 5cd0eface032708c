import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { buildConsole, type ConsoleAssets } from '../../src/console/console-build.ts';
import { createConsoleMount } from '../../src/console/console-mount.ts';
import { createLogger } from '../../src/log.ts';

/**
 * /console as a browser and an attacker see it: the real build (esbuild, in memory), served
 * compressed with cache validators, a strict content security policy, and clear refusals.
 */
let assets: ConsoleAssets;
let server: Server;
let url: string;
let builds = 0;
let failNext = false;

before(async () => {
  assets = await buildConsole();
  const mount = createConsoleMount(createLogger('silent'), () => Promise.resolve(assets));
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (mount.matches(path)) void mount.handle(req, res, path);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    request({ hostname, port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    })
      .on('error', reject)
      .end();
  });
}

const scriptOf = (html: string) => /<script type="module" src="assets\/([^"]+)"/.exec(html)?.[1];

describe('the console build', () => {
  it('is one page, one script, one stylesheet; small', () => {
    assert.deepEqual([...assets.keys()].map((name) => name.replace(/-[A-Z0-9]+\./, '-HASH.')).sort(), [
      'assets/app-HASH.css',
      'assets/app-HASH.js',
      'index.html',
    ]);
    const gzipped = [...assets.values()].reduce((sum, file) => sum + file.gzip.length, 0);
    // The budget of the first load (docs/console.md gives the measured figure).
    assert.ok(gzipped < 30_000, `first load ${gzipped} bytes gzipped`);
  });

  it('the script holds no inline-evaluated code and no other origin', () => {
    const script = [...assets.entries()].find(([name]) => name.endsWith('.js'))![1].body.toString();
    assert.doesNotMatch(script, /\beval\(|new Function\(/);
    assert.doesNotMatch(script, /https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('GET /console', () => {
  it('redirects /console to /console/ (the assets are relative)', async () => {
    const response = await fetch(`${url}/console`, { redirect: 'manual' });
    assert.equal(response.status, 308);
    assert.equal(response.headers.get('location'), '/console/');
  });

  it('serves the page with a strict policy, brotli or gzip as accepted, and validators', async () => {
    const page = await fetch(`${url}/console/`, { headers: { 'Accept-Encoding': 'gzip, br;q=0' } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page.headers.get('content-encoding'), 'gzip');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "form-action 'none'", "frame-ancestors 'none'"])
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    assert.doesNotMatch(csp, /unsafe/);
    const html = await page.text();
    const script = scriptOf(html);
    assert.ok(script, html);

    const js = await fetch(`${url}/console/assets/${script}`, { headers: { 'Accept-Encoding': 'br' } });
    assert.equal(js.headers.get('content-encoding'), 'br');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    await js.arrayBuffer();

    const etag = page.headers.get('etag')!;
    const again = await fetch(`${url}/console/`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  it('sends the plain file to a client that accepts no compression', async () => {
    const page = await rawGet('/console/', { 'Accept-Encoding': 'identity' });
    assert.equal(page.headers['content-encoding'], undefined);
    assert.match(page.body, /^<!doctype html>/);
    assert.equal(gunzipSync(assets.get('index.html')!.gzip).toString(), page.body);
  });

  it('refuses other methods, unknown files and paths that climb out', async () => {
    const post = await fetch(`${url}/console/`, { method: 'POST', body: 'token=secret' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    // Sent as written (fetch would resolve the dots first).
    for (const path of [
      '/console/nope.js',
      '/console/assets/',
      '/console/../package.json',
      '/console/%2e%2e/src/main.ts',
    ]) {
      const response = await rawGet(path);
      assert.equal(response.status, 404, path);
      assert.deepEqual(JSON.parse(response.body), { error: 'not found' });
    }
  });

  it('a failed build is a 500 with a clear body, and the next request builds again', async () => {
    const fresh = createConsoleMount(createLogger('silent'), () => {
      builds += 1;
      return failNext ? ((failNext = false), Promise.reject(new Error('broken build'))) : Promise.resolve(assets);
    });
    const probe = createServer((req, res) => void fresh.handle(req, res, (req.url ?? '/').split('?')[0]!));
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    try {
      failNext = true;
      const before = builds;
      const failed = await fetch(`${base}/console/`);
      assert.equal(failed.status, 500);
      assert.deepEqual(await failed.json(), { error: 'the console could not be built; see the gateway log' });
      const ok = await fetch(`${base}/console/`);
      assert.equal(ok.status, 200);
      await ok.text();
      await fetch(`${base}/console/`).then((response) => response.text());
      assert.equal(builds - before, 2, 'built again after the failure, then kept');
    } finally {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
  });
});
