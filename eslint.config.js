// ESLint with typescript-eslint in type-checked mode, as Pothos, yoga, xmpp.js and graphql-ws do.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'generated/',
      'test/generated/',
      'console/generated/',
      'test-artifacts/',
      'data/',
      'coverage/',
      'scratch/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test() and describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The console runs in the browser (console/tsconfig.json: DOM types, Preact JSX).
    files: ['console/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Fakes implement async interfaces without awaiting anything.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    // GraphiQL's page script runs in the browser (served by src/graphql/graphiql-assets.ts).
    files: ['src/graphql/graphiql-boot.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
);
