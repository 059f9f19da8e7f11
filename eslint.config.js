// ESLint for the whole repository (run by `npm test`, or `npm run lint`). Besides
// typescript-eslint's recommended rules and react-hooks for the web app, it holds the
// layer rules: shared imports no app; the web never imports the agent (nor Node); the
// agent never imports the web; e2e reaches the agent only through its public package
// entry point `@osloscope/agent/test-support`. Formatting is Prettier's (.prettierrc.json).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const APPS = ['@osloscope/agent', '@osloscope/agent/*', '@osloscope/web', '@osloscope/web/*', '**/apps/**'];

/** `no-restricted-imports` with these patterns, each with the reason shown to whoever breaks it. */
const restrict = (...groups) => ['error', { patterns: groups.map(([group, message]) => ({ group, message })) }];

export default tseslint.config(
  {
    ignores: ['**/node_modules/', '**/dist/', '**/dist-*/', 'test-output/', 'apps/web/dist-types/', '**/*.d.ts', '**/.vite/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are noise; a leading underscore says "deliberately unused".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Empty catch blocks carry a comment saying why the error is ignored.
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': restrict(
        [APPS, 'shared is the wire model both apps use: it depends on nothing else in the repo.'],
        [['node:*'], 'shared runs in the browser too: no Node APIs.'],
      ),
    },
  },
  {
    files: ['shared/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrict([APPS, 'shared is the wire model both apps use: it depends on nothing else in the repo.']) },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    ignores: ['apps/web/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      // The classic hook rules. The plugin's React Compiler rules (refs, set-state-in-effect, ...)
      // are left off: the app does not use the compiler, and they flag its deliberate latest-ref
      // and reuse-previous-object patterns, which keep per-frame renders cheap.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': restrict(
        [['@osloscope/agent', '@osloscope/agent/*', '**/agent/**'], 'The web app never imports the agent: protocol types live in @osloscope/shared.'],
        [['node:*'], 'The web app runs in the browser: no Node APIs.'],
      ),
    },
  },
  {
    files: ['apps/agent/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        ['@osloscope/web', '@osloscope/web/*', '**/web/**'],
        'The agent never imports the web app; it only serves its built files.',
      ]),
    },
  },
  {
    files: ['e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([
        ['**/apps/**', '@osloscope/agent/*', '!@osloscope/agent/test-support'],
        'e2e reaches the agent only through @osloscope/agent/test-support (and drives it as a process).',
      ]),
    },
  },
  prettier,
);
