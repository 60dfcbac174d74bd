// ESLint flat config: type-aware checks over the daemon (engine/), the nanomega program (cli/) and
// the web relay (web/). A promise nobody awaits or catches is an unhandled rejection waiting to
// happen, and in the daemon one of those used to end the process (security review M4); a promise
// passed where a callback's result is ignored (an async listener) is the same bug in disguise.
// `void p` is not a way out: mark a fire-and-forget promise by giving it a .catch.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    files: ['engine/**/*.ts', 'cli/**/*.ts', 'web/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        project: ['./tsconfig.node.json', './engine/api/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
