import { queryDatabase } from './postgres.ts';

/**
 * The structure of a database's public schema as plain data (columns, indexes, constraints,
 * enums; not the migrations table), so two databases built different ways can be compared.
 */
export async function catalogOf(url: string): Promise<Record<string, unknown[]>> {
  const columns = await queryDatabase(
    url,
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, datetime_precision
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      ORDER BY table_name, column_name`,
  );
  const indexes = await queryDatabase(
    url,
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`,
  );
  const constraints = await queryDatabase(
    url,
    `SELECT c.conname, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.conname NOT LIKE '\\_prisma%' ORDER BY c.conname`,
  );
  const enums = await queryDatabase(
    url,
    `SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
      ORDER BY t.typname, e.enumsortorder`,
  );
  return { columns, indexes, constraints, enums };
}
