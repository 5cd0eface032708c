import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * The console's build: esbuild bundles console/src (Preact, TSX, CSS) in memory, minified, and
 * each file is compressed once (gzip and brotli). It runs inside the gateway the first time the
 * console is asked for, so no install or build step is added and nothing is fetched: esbuild is
 * an npm dependency with its binary in the registry package.
 */
export interface ConsoleAsset {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  brotli: Buffer;
  etag: string;
  /** Hashed names never change content: cached for a year. index.html is revalidated. */
  immutable: boolean;
}

export type ConsoleAssets = Map<string, ConsoleAsset>;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** console/ at the top of the package, found from here whether this runs from src/ or a build. */
export function consoleSourceDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'console', 'src', 'main.tsx'))) return join(dir, 'console');
    if (dirname(dir) === dir) throw new Error('the console sources (console/src) are missing');
  }
}

function asset(name: string, body: Buffer, immutable: boolean): ConsoleAsset {
  return {
    contentType: TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
    body,
    gzip: gzipSync(body, { level: 9 }),
    brotli: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    immutable,
  };
}

function indexHtml(script: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Stanza Gateway console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/${style}">
<script type="module" src="assets/${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The console needs JavaScript.</noscript>
</body>
</html>
`;
}

/** Builds every file of the console: `index.html` and `assets/<name>-<hash>.<ext>`. */
export async function buildConsole(sourceDir = consoleSourceDir()): Promise<ConsoleAssets> {
  // Loaded here, not at start-up: a gateway whose console is never opened never pays for it.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: sourceDir,
    entryPoints: ['src/main.tsx'],
    tsconfig: join(sourceDir, 'tsconfig.json'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: 'app-[hash]',
    outdir: 'out',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets: ConsoleAssets = new Map();
  let script = '';
  let style = '';
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (name.endsWith('.js')) script = name;
    if (name.endsWith('.css')) style = name;
    assets.set(`assets/${name}`, asset(name, Buffer.from(file.contents), true));
  }
  if (!script || !style) throw new Error('the console build produced no script or no stylesheet');
  assets.set('index.html', asset('index.html', Buffer.from(indexHtml(script, style)), false));
  return assets;
}
