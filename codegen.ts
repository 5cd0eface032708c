import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents, checked against the committed schema.graphql (printed by
 * scripts/print-schema.ts, never imported from the Pothos builder: graphql-code-generator issue
 * #9679): the tests' operations (test/**\/*.graphql) and the console's (console/graphql/), the
 * latter as plain strings (no GraphQL parser in the browser bundle). `npm test` fails when either
 * output is stale.
 */
const shared = {
  useTypeImports: true,
  enumsAsTypes: true,
  emitLegacyCommonJSImports: false,
  scalars: { JID: 'string', JSON: 'unknown', DateTime: 'string' },
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'test/generated/': {
      documents: ['test/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: shared,
    },
    'console/generated/': {
      documents: ['console/graphql/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: { ...shared, documentMode: 'string' },
    },
  },
};

export default config;
