import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers with side effects: neither the domain nor workflow code may import them. */
const sideEffectLayers = [
  '**/db',
  '**/db/*',
  '**/api',
  '**/api/*',
  '**/worker/*',
  '**/config',
  '**/logging',
  '**/metrics',
  '**/metrics/*',
  '**/tracing',
  '**/tracing/*',
];
/** Packages with side effects, for the same two. */
const sideEffectPackages = [
  'mongoose',
  'express',
  'node:*',
  'pino',
  'prom-client',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/interceptors-opentelemetry',
  '@opentelemetry/*',
];
/** Activity code: workflows may import its types only, the domain nothing. */
const activityModules = ['**/activities', '**/activities/*'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.data/', 'scripts/ferretdb/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Only the owners in src/db talk to the database.
    files: ['src/**/*.ts'],
    ignores: ['src/db/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'mongoose', message: "Only src/db imports mongoose: read and write through the collection's owner." }] },
      ],
    },
  },
  {
    // The API talks to workflows and to the owners in src/db, never to activity code.
    files: ['src/api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'mongoose', message: "Only src/db imports mongoose: read and write through the collection's owner." }],
          patterns: [
            {
              group: activityModules,
              message: 'The API reaches side effects through workflows and src/db owners, not activities.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure business logic: no I/O of any kind.
    files: ['src/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...activityModules,
                '**/workflows',
                '**/workflows/**',
                '@temporalio/workflow',
                ...sideEffectLayers,
                ...sideEffectPackages,
              ],
              message: 'src/domain is pure: no database, network, clock-driven or Temporal runtime code.',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code must stay deterministic: no clocks or randomness outside Temporal's, side effects only in activities.
    // The tracing module that runs inside the workflow sandbox is held to the same rules.
    files: ['src/workflows/**/*.ts', 'src/tracing/workflowInterceptors.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: activityModules,
              allowTypeImports: true,
              message: 'Workflows import only the types of activities; call them through proxies.',
            },
            {
              group: [...sideEffectLayers, ...sideEffectPackages],
              message: 'Workflows are deterministic: side effects belong in activities.',
            },
          ],
        },
      ],
    },
  },
  {
    // Node preloads: plain CommonJS, loaded with `node --require` where no TypeScript runs (workflow threads).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', globalThis: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read JSON answers whose shape the assertions check.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
