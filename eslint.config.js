// One lint setup for the whole repository.
// Besides the usual rules it keeps two architecture rules (ARCHITECTURE.md):
//  - imports point one way: agreement <- core <- storage/server/cli;
//  - business logic takes a clock: Date.now() and new Date() are banned outside clock modules and tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const clockBan = {
  'no-restricted-syntax': [
    'error',
    {
      selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
      message: 'Take a Clock instead of calling Date.now() (time is injected).',
    },
    {
      selector: "NewExpression[callee.name='Date'][arguments.length=0]",
      message: 'Take a Clock instead of calling new Date() (time is injected).',
    },
  ],
};

const boundary = (forbidden) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: forbidden.map((p) => ({
        group: [`@idaas/${p}`, `@idaas/${p}/*`],
        message: `This package may not import @idaas/${p} (dependency direction, ARCHITECTURE.md).`,
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'data/**', '**/dist/**', '.artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  { files: ['packages/*/src/**/*.ts'], ignores: ['**/*.test.ts', '**/clock*.ts'], rules: clockBan },
  { files: ['packages/agreement/src/**/*.ts'], rules: boundary(['core', 'storage', 'server', 'cli']) },
  { files: ['packages/core/src/**/*.ts'], rules: boundary(['storage', 'server', 'cli']) },
  { files: ['packages/storage/src/**/*.ts'], rules: boundary(['server', 'cli']) },
  { files: ['packages/server/src/**/*.ts'], rules: boundary(['cli']) },
);
