import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // Workflow code must stay deterministic: no clocks or randomness outside Temporal's.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }],
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['**/activities', '**/activities/*', '**/db/*', '**/api/*', 'mongoose', 'express', 'node:*'], allowTypeImports: true, message: 'Workflows are deterministic: side effects belong in activities.' }],
      }],
    },
  },
  {
    // Tests read JSON answers whose shape the assertions check.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
