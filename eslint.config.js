// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import fedkit from './eslint/plugin.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'smart'],
      // A binding a closure reads before its one assignment (a server's port, a late-built app) is not a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // The layers and no cycles (docs/architecture.md; eslint/layers.js).
    files: ['src/**/*.ts'],
    plugins: { fedkit },
    rules: { 'fedkit/layers': 'error', 'fedkit/no-cycle': 'error' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Front-end code and the Jest tests of fedkit/jsdom: they run in a jsdom window.
    files: ['test/integrations/**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'navigator', 'atob', 'URL', 'setTimeout', 'clearTimeout', 'MutationObserver', 'DOMException', 'IdentityCredential', 'IdentityCredentialError'].map((name) => [name, 'readonly']),
      ),
    },
  },
);
