import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the tests: the operations in test/**\/*.graphql, checked against the
 * committed schema.graphql (printed by scripts/print-schema.ts, never imported from the Pothos
 * builder: graphql-code-generator issue #9679). `npm test` fails when the output is stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        emitLegacyCommonJSImports: false,
        scalars: { JID: 'string', JSON: 'unknown', DateTime: 'string' },
      },
    },
  },
};

export default config;
