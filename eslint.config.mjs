// ESLint flat config for the whole tree (sources, scripts, bench, tests), run by `npm test`
// through scripts/lint.js. ESLint and typescript-eslint live in tools/lint/ with their own
// TypeScript 6: typescript-eslint needs TypeScript's JS API, which TypeScript 7 (the project's
// compiler) no longer ships, and npm will not put both in one tree. No type information: the
// rules read syntax only, so a lint of the whole tree takes seconds.
import { createRequire } from 'node:module'

const require = createRequire(new URL('./tools/lint/package.json', import.meta.url))
const js = require('@eslint/js')
const tseslint = require('typescript-eslint')
const globals = require('globals')

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', 'build/**', 'prebuilds/**', '.cache/**', 'test/artifacts/**', 'test/fixtures/**', 'web/client/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Lazy require() is how sonde keeps what a preload loads small (register.ts, collectors/index.ts):
      // a module is loaded only when the feature that needs it starts.
      '@typescript-eslint/no-require-imports': 'off',
      // The `any`s left are where a type is truly open: acorn's nodes, JSON a test reads from a
      // child process, the disabled-probe stub that must fit every probe signature.
      '@typescript-eslint/no-explicit-any': 'off',
      // `_name` marks a parameter or binding kept for its position or to leave it out of a rest.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true, allowShortCircuit: true }],
    },
  },
  { files: ['web/client/**'], languageOptions: { globals: { ...globals.browser } } },
  // Functions this script hands to page.evaluate run in the browser.
  { files: ['scripts/dashboard-screenshots.js'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
)
