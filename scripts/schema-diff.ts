// Authoring tool for migrations (dev only; docs/dependencies.md, docs/webhooks.md "Database").
//
//   npx tsx scripts/schema-diff.ts NAME [FROM_SCHEMA]
//
// writes prisma/migrations/<timestamp>_NAME/migration.sql with the SQL that takes the schema as
// it was (FROM_SCHEMA, default: prisma/schema.prisma at git HEAD; none = empty database) to
// prisma/schema.prisma as it is now. test/integration/db-migrations.test.ts then proves that the
// migrations, applied in order, build exactly what the schema declares.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { migrationsDir } from '../src/db/migrator.ts';
import { diffDatamodels, readSchema } from '../test/support/schema-engine.ts';

const [name, fromFile] = process.argv.slice(2);
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('usage: npx tsx scripts/schema-diff.ts NAME [FROM_SCHEMA]   (NAME: lower-case, digits, _)\n');
  process.exit(2);
}

function schemaAtHead(): string | undefined {
  try {
    return execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

const from = fromFile ? await readFile(fromFile, 'utf8') : schemaAtHead();
const sql = await diffDatamodels(from, readSchema());
if (sql === '') {
  process.stdout.write('nothing to migrate: the two schemas agree\n');
} else {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration.sql'), sql);
  process.stdout.write(`wrote ${dir}/migration.sql\n`);
}
