#!/usr/bin/env node
// Generates the Prisma client into generated/prisma (git-ignored): run by `postinstall`, so
// `npm ci` leaves a ready client, and by `npm test` when prisma/schema.prisma is newer than it.
// The client needs no engine; the CLI only insists that a schema engine file exists, so it is
// pointed at a stub that explains and exits 1 (never 0: see scripts/no-schema-engine.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = join(root, 'prisma', 'schema.prisma');
const client = join(root, 'generated', 'prisma', 'client.ts');

export function clientIsStale() {
  return !existsSync(client) || statSync(client).mtimeMs < statSync(schema).mtimeMs;
}

export function generateClient() {
  const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
  if (!existsSync(cli)) {
    // `prisma` is a regular dependency (production installs, `npm ci --omit=dev` included,
    // generate the client too), so a missing CLI is a broken install, and without a client
    // nothing that touches the delivery log works: say so and fail.
    process.stderr.write(
      'prisma-generate: the prisma CLI is missing from node_modules (it is a dependency): run `npm ci`\n',
    );
    process.exit(1);
  }
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: join(root, 'scripts', 'no-schema-engine.sh'),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
  if (result.status !== 0) {
    process.stderr.write('prisma-generate: `prisma generate` failed\n');
    process.exit(result.status ?? 1);
  }
}

// `--if-stale` (npm test): only when prisma/schema.prisma changed since the last generation.
if (process.argv[1] === fileURLToPath(import.meta.url) && (!process.argv.includes('--if-stale') || clientIsStale())) {
  generateClient();
}
