// Type-aware lint for the whole monorepo, plus the layer rules from the README:
// apps import shared/*, never each other; shared/* never imports an app.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const APPS = ['@mana/auth', '@mana/sync', '@mana/web', '@mana/bot-*', '@mana/bots-*'];
const appImportBan = (self) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: APPS.filter((a) => a !== self),
          message:
            'Apps talk over HTTP/WebSocket/Matrix, never by importing each other: move shared code to shared/*.',
        },
        {
          regex: '^(\\.\\./)+(auth|sync|web|bots)/',
          message: 'Relative imports across app folders break the layers: depend on a shared/* package.',
        },
      ],
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.data/**',
      '.venv/**',
      '**/.turbo/**',
      'web/.svelte-kit/**',
      '**/*.svelte',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Async functions without await are fine as interface implementations.
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // Layer rules.
  { files: ['shared/**/*.ts'], rules: appImportBan(null) },
  { files: ['auth/**/*.ts'], rules: appImportBan('@mana/auth') },
  { files: ['sync/**/*.ts'], rules: appImportBan('@mana/sync') },
  { files: ['web/**/*.ts'], rules: appImportBan('@mana/web') },
  { files: ['bots/**/*.ts'], rules: appImportBan('@mana/bot-*') },
  // Tests, scripts and benchmarks may print and use test-only helpers.
  {
    files: ['**/*.test.ts', 'scripts/**', 'bench/**', 'tests/**', '**/cli.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
