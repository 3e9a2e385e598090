// ESLint is here to catch bugs; Prettier owns layout, so there are no style rules. Type-aware rules are on because the
// ones that matter most in this codebase need types: a promise nobody awaits in a route, a worker duty or a transaction
// (no-floating-promises, no-misused-promises), an `any` leaking across a boundary (no-unsafe-*).
// A full run takes about 40 s on this 2-core machine (see the issue 15 report); `npm run lint:eslint -- path` lints less.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'data/',
      'test-results/',
      'playwright-report/',
      '.shopify/',
      // Built by `npm run build:ui`; never edited by hand.
      'extensions/contact-form/assets/',
      'extensions/checkout-fields/dist/',
      'extensions/customer-account/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          // The config files are outside tsconfig.json's include: lint them with the same compiler options. (bench/ is in
          // the include since the issue 15 layout; a file may not be in both, typescript-eslint refuses that.)
          allowDefaultProject: ['*.js', '*.cjs'],
          defaultProject: 'tsconfig.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An async function without `await` is often deliberate (it satisfies a Promise-returning interface).
      '@typescript-eslint/require-await': 'off',
      // Input validation matches control characters on purpose (schema/rules.ts rejects them).
      'no-control-regex': 'off',
      // Preact event handlers may be async: a rejected handler shows in the console, and the UI code reports its own
      // errors. Passing an async function where a callback's result is ignored (addEventListener, setTimeout) still fails.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
    },
  },
  {
    // Tests read untyped JSON (responses, GraphQL bodies, log lines) and assert on it; typing every read would add
    // casts, not safety; a stub may be `any` on purpose. `expect(obj.method)` is the usual way to check a spy, which
    // unbound-method misreads. The rule against `any` at boundaries is for production code.
    files: ['tests/**', '**/*.test.ts', '**/*.test.tsx', '**/*.spec.ts', 'bench/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Components destructure callbacks from their props (`{ t, onChange }`); unbound-method reads a method-style
    // signature in the props type as a class method that needs its `this`.
    files: ['**/*.tsx'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Config files in plain JS have no types to check against.
    files: ['**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
);
