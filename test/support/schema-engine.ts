import { readFileSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { POSTGRES_ADMIN_URL } from './postgres.ts';

/**
 * Prisma's schema engine, wasm build (dev only; docs/dependencies.md): the native engine the
 * CLI wants cannot be downloaded here. Only the datamodel-to-datamodel diff is used: this
 * build's introspection through adapter-pg fails on Postgres' `char` columns (the same class
 * of bug as prisma/orm#27403). Its package imports the .wasm as an ES module, which Node 20
 * cannot do, hence the manual instantiation.
 */
interface WasmSchemaEngine {
  diff(params: object): Promise<{ stdout: string | null }>;
  free(): void;
}

// lib has no WebAssembly types without DOM; this is the part used here.
interface Wasm {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: Wasm };

type EngineFactory = {
  new: (options: object, log: (message: string) => void, adapter: object) => Promise<WasmSchemaEngine>;
};

async function loadSchemaEngine(): Promise<EngineFactory> {
  const glueUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = (await import(glueUrl)) as Record<string, unknown> & {
    __wbg_set_wasm(exports: Record<string, unknown>): void;
    SchemaEngine: EngineFactory;
  };
  const { instance } = await WebAssembly.instantiate(readFileSync(new URL('schema_engine_bg.wasm', glueUrl)), {
    './schema_engine_bg.js': glue,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  return glue.SchemaEngine;
}

/** The SQL that takes a database from one datamodel (undefined = empty) to another; "" if none. */
export async function diffDatamodels(from: string | undefined, to: string): Promise<string> {
  const SchemaEngine = await loadSchemaEngine();
  // The engine connects to a database even for a diff of two datamodels; it changes nothing there.
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: POSTGRES_ADMIN_URL }));
  const target = (content: string) => ({ tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content }] });
  const engine = await SchemaEngine.new({ datamodels: [['schema.prisma', to]] }, () => {}, adapter);
  try {
    const result = await engine.diff({
      from: from === undefined || from.trim() === '' ? { tag: 'empty' } : target(from),
      to: target(to),
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? '';
    // An empty diff still prints a comment.
    return /^\s*(--[^\n]*(\n|$)\s*)*$/.test(sql) ? '' : sql;
  } finally {
    engine.free();
  }
}

export function readSchema(): string {
  return readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');
}
