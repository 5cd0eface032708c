// The allowed imports between the parts of src/ (docs/architecture.md draws them), and the check
// that `npm test` runs over the import graph: `node --import tsx scripts/layers.ts` fails on a
// forbidden import; `--graph` prints the folder graph as it is.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';

/** The parts of src/: each folder is one, and the files at the top are grouped by what they do. */
const TOP_FILES: Record<string, string> = {
  'main.ts': 'app',
  'server.ts': 'app',
  'runtime.ts': 'app',
  'cli.ts': 'config',
  'config.ts': 'config',
  'config-file.ts': 'config',
  'config-help.ts': 'config',
  'settings.ts': 'config',
  'setting-parsers.ts': 'config',
  'log.ts': 'log',
};

/**
 * Who may import whom. Data flows one way: the faces (rest; schema + graphql + subscribers;
 * webhooks) over the core (xmpp) and persistence (db), on neutral parts (errors, flow, http,
 * auth, log, config). Faces never import each other, with one published exception below.
 */
export const ALLOWED: Record<string, readonly string[]> = {
  app: ['*'],
  demo: ['app', 'config', 'log', 'xmpp'],
  config: ['auth', 'xmpp'],
  log: [],
  errors: [],
  flow: [],
  http: ['errors', 'log'],
  auth: ['errors', 'xmpp'],
  xmpp: ['config', 'errors', 'flow', 'log'],
  db: ['errors', 'flow', 'generated', 'log'],
  formats: ['errors', 'http', 'xmpp'],
  rest: ['auth', 'errors', 'formats', 'http', 'log', 'xmpp'],
  webhooks: ['config', 'db', 'errors', 'flow', 'formats', 'http', 'log', 'xmpp'],
  journal: ['db', 'errors', 'flow', 'log', 'xmpp'],
  ha: ['db', 'log'],
  subscribers: ['errors', 'flow', 'journal', 'log', 'xmpp'],
  schema: ['auth', 'errors', 'ha', 'journal', 'subscribers', 'webhooks', 'xmpp'],
  graphql: [
    'auth',
    'config',
    'errors',
    'ha',
    'http',
    'journal',
    'log',
    'ops',
    'schema',
    'subscribers',
    'webhooks',
    'xmpp',
  ],
  ops: ['auth', 'ha', 'http', 'journal', 'subscribers', 'webhooks', 'xmpp'],
  console: ['http', 'log'],
};

/**
 * Parts that other parts may import only through these modules. The webhooks publish the
 * delivery log (the facade GraphQL reads it through) and their factory (for the app and ops);
 * everything else in src/webhooks is theirs alone.
 */
export const PUBLISHED: Record<string, readonly string[]> = {
  webhooks: ['webhooks/delivery-log.ts', 'webhooks/index.ts'],
};

/** The part a file (path relative to the repository) belongs to; undefined outside src/. */
export function partOf(path: string): string | undefined {
  const parts = normalize(path).split(sep);
  if (parts[0] === 'generated') return 'generated';
  if (parts[0] !== 'src') return undefined;
  if (parts.length === 2) return TOP_FILES[parts[1]!] ?? parts[1]!.replace(/\.ts$/, '');
  return parts[1];
}

export interface Violation {
  from: string;
  to: string;
  reason: string;
}

/** Relative imports of one file (static, dynamic, type-only, re-exports), as repository paths. */
export function importsOf(path: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((file) => file.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => normalize(join(dirname(path), spec)));
}

export function check(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [from, text] of files) {
    const source = partOf(from);
    if (source === undefined) continue;
    for (const to of importsOf(from, text)) {
      const target = partOf(to);
      if (target === undefined || target === source) continue;
      const allowed = ALLOWED[source];
      if (allowed === undefined) {
        violations.push({ from, to, reason: `${source} is not a known part: add it to ALLOWED in scripts/layers.ts` });
      } else if (!allowed.includes('*') && !allowed.includes(target)) {
        violations.push({ from, to, reason: `${source} may not import ${target}` });
      } else if (PUBLISHED[target] && !allowed.includes('*')) {
        const module = relative('src', to).split(sep).join('/');
        if (!PUBLISHED[target].includes(module)) {
          violations.push({ from, to, reason: `${target} is imported only through ${PUBLISHED[target].join(', ')}` });
        }
      }
    }
  }
  return violations;
}

/** Part → the parts it imports, as found in the files. */
export function graph(files: ReadonlyMap<string, string>): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const [from, text] of files) {
    const source = partOf(from);
    if (source === undefined) continue;
    for (const to of importsOf(from, text)) {
      const target = partOf(to);
      if (target === undefined || target === source) continue;
      if (!edges.has(source)) edges.set(source, new Set());
      edges.get(source)!.add(target);
    }
  }
  return edges;
}

export function sourceFiles(dir = 'src'): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, readFileSync(path, 'utf8'));
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = sourceFiles();
  if (process.argv.includes('--graph')) {
    const edges = graph(files);
    for (const part of [...edges.keys()].sort()) {
      process.stdout.write(`${part.padEnd(12)} → ${[...edges.get(part)!].sort().join(', ')}\n`);
    }
  } else {
    const violations = check(files);
    for (const { from, to, reason } of violations) process.stderr.write(`${from} imports ${to}: ${reason}\n`);
    if (violations.length > 0) {
      process.stderr.write('The allowed imports are in scripts/layers.ts and docs/architecture.md.\n');
      process.exit(1);
    }
    process.stdout.write(`layers: ${files.size} files, no forbidden import\n`);
  }
}
