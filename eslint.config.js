// Lint, and the layering rules enforced here rather than hoped for:
//  - only the Electron shell (main/electron/) and the preload import `electron`;
//  - the renderer never imports the core (main/) or Node built-ins: preload/contract is its only door;
//  - common/ (pure rules shared by core and renderer) imports neither side, and only types from the contract;
//  - the core never imports a shell;
//  - the store (main/core/store/) is the bottom of the core: it imports none of the features above it.
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import svelteParser from 'svelte-eslint-parser';

const electron = { name: 'electron', message: 'Only main/electron/ and preload/index.ts may import electron: the core must run in plain Node.' };
const nodeBuiltins = { group: ['node:*'], message: 'Renderer and common code run in the browser: no Node built-ins.' };
const noShell = { group: ['**/electron/**', '**/web/**', '**/renderer/**'], message: 'The core knows no shell and no page.' };
const storeBelowFeatures = {
  regex: '^\\.\\./(?!\\.\\./|errors$)',
  message: 'The store is the bottom of the core: it may use ../errors and its own files, never a feature (batch, jobs, ops, memberships…).',
};
const coreFromPage = { group: ['**/main/*', '**/main/**', '../main/**'], message: 'The renderer reaches the core only through preload/contract (window.desk).' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**', '.probe*'] },
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { paths: [electron] }],
    },
  },
  {
    files: ['main/electron/**', 'preload/index.ts', 'test/support/electron-stub.ts', 'test/e2e/electron*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [electron], patterns: [nodeBuiltins, coreFromPage] }] },
  },
  {
    files: ['common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electron], patterns: [nodeBuiltins, coreFromPage, { group: ['**/renderer/**'], message: 'common/ is shared: it may not import the renderer.' }] },
      ],
      // The renderer's first screen loads common/: a value from the contract would bring its schemas (zod) along.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/preload/contract', '../preload/contract', '../../preload/contract'],
              allowTypeImports: true,
              message: 'common/ takes only types from the contract (its values would pull the schemas into the first screen); put a shared value in common/ (e.g. common/limits.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/core/**', 'main/sandbox/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electron], patterns: [noShell] }],
    },
  },
  {
    files: ['main/core/store/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [electron], patterns: [noShell, storeBelowFeatures] }],
    },
  },
);
