#!/usr/bin/env node
// `prestart`: `npm start` runs the JavaScript in dist/. This builds it first when it is missing or
// older than the sources (the first start after `npm ci`, or after an edit), and otherwise costs
// a few milliseconds. `npm run build` builds unconditionally.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.tsbuildinfo');
const inputs = ['src', 'generated', 'types', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (built < Math.max(...inputs.map((input) => newest(join(root, input))))) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    process.stderr.write(
      'stanza-gateway: dist/ is missing or older than src/, and TypeScript is not installed (a production ' +
        'install?): run `npm run build` where the dev dependencies are installed, and ship dist/\n',
    );
    process.exit(1);
  }
  process.stderr.write('stanza-gateway: building dist/ (npm run build) …\n');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // tsc leaves its build info alone when nothing changed: mark this build as current.
  const now = new Date();
  utimesSync(stamp, now, now);
}
