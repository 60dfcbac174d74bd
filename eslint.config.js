// ESLint flat config: type-aware checks over the daemon (engine/), the nanomega program (cli/) and
// the web relay (web/). A promise nobody awaits or catches is an unhandled rejection waiting to
// happen, and in the daemon one of those used to end the process (security review M4); a promise
// passed where a callback's result is ignored (an async listener) is the same bug in disguise.
// `void p` is not a way out: mark a fire-and-forget promise by giving it a .catch.
//
// Below that: Electron main gets the same promise rules; `any` may not cross the boundaries where
// untrusted bytes become values (the wire library, the daemon's sockets, the web relay, Electron's
// IPC); and the layering of style.md §1 is enforced by import rules (VS Code's code-layering).
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';

const promiseRules = {
  '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
  '@typescript-eslint/no-misused-promises': 'error',
};

const unsafeAnyRules = {
  '@typescript-eslint/no-unsafe-argument': 'error',
  '@typescript-eslint/no-unsafe-assignment': 'error',
  '@typescript-eslint/no-unsafe-member-access': 'error',
  '@typescript-eslint/no-unsafe-call': 'error',
  '@typescript-eslint/no-unsafe-return': 'error',
};

const typed = (project) => ({
  parser: tseslint.parser,
  parserOptions: { project, tsconfigRootDir: import.meta.dirname },
});

/** An import rule: module specifiers matching `regex` are refused in these files, with `why`. */
const forbid = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: patterns.map(([regex, message]) => ({ regex, message })) }] });
const UP_TO = (dirs) => `^(\\.\\./)+(${dirs})(/|$)`;
const ENGINE_NOT_API = ['^(\\.\\./)+engine/(?!api/)', 'only the contract and the wire library (engine/api/) may be imported here'];
const NODE = ['^node:', 'the page has no Node: use the contract (window.engine)'];

/**
 * Modules under engine/ that touch node:fs / node:child_process themselves instead of going through
 * engine/host/ (style.md §1), each for a reason: sockets and the launcher process are not Host effects
 * yet (a Shim port is planned); the stats sampler's cached-fd reads are its own Host; the cc and capture
 * modules stream files too large for Host.readFile. New code goes through Host.
 */
const HOST_EXCEPTIONS = [
  'engine/host/**',
  'engine/daemon/line-socket.ts', // chmod/chown of the sockets it binds
  'engine/daemon/main.ts', // unlinks its sockets on shutdown
  'engine/shim/**', // the launcher process and the monitors' sockets
  'engine/stats/stat-file-host.ts', // the sampler's own Host: kept-open fds, pread
  'engine/cc/**', // cc file transfer: streams files of any size
  'engine/net/capture-tcpdump.ts', // tcpdump as a long-running child with its own pipes
  'engine/net/qos-delay.ts',
  'engine/console-script/scripts.ts', // console recordings streamed to and played from files
];

/** One framing for every socket client (engine/api/wire.ts): no line splitting written again by hand. */
const oneFraming = {
  'no-restricted-syntax': [
    'error',
    {
      selector: "CallExpression[callee.property.name='indexOf'][arguments.length=1][arguments.0.value='\\n']",
      message: 'split lines with LineSplitter from engine/api/wire.ts (one framing for every client)',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'shim/build/', 'build/'] },
  {
    files: ['engine/**/*.ts', 'cli/**/*.ts', 'web/**/*.ts'],
    languageOptions: typed(['./tsconfig.node.json', './engine/api/tsconfig.json', './engine/api/node/tsconfig.json']),
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: promiseRules,
  },
  {
    files: ['engine/api/**/*.ts', 'engine/daemon/**/*.ts', 'web/**/*.ts'],
    rules: unsafeAnyRules,
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/preload.ts'],
    languageOptions: typed(['./electron/tsconfig.json']),
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: { ...promiseRules, ...unsafeAnyRules },
  },
  // Layering: nothing imports upward, and the unprivileged sides see only the contract.
  {
    files: ['electron/preload.ts', 'renderer/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
  },
  {
    files: ['renderer/**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    files: ['engine/**/*.ts'],
    rules: forbid([UP_TO('cli|web|electron|renderer'), 'the engine runs in the daemon: it never imports the program, the relay or the UI']),
  },
  {
    files: ['engine/api/*.ts'],
    rules: forbid(['^node:', 'engine/api is pure: Node glue goes in engine/api/node/'], ['^\\.\\./', 'engine/api imports nothing outside itself']),
  },
  {
    files: ['engine/**/*.ts'],
    ignores: [...HOST_EXCEPTIONS, 'engine/api/*.ts'],
    rules: forbid(
      [UP_TO('cli|web|electron|renderer'), 'the engine runs in the daemon: it never imports the program, the relay or the UI'],
      ['^node:(fs|fs/promises|child_process)$|^node-pty$', 'effects on the machine go through engine/host/ (Host)'],
    ),
  },
  {
    files: ['web/**/*.ts'],
    rules: forbid(ENGINE_NOT_API, [UP_TO('cli|electron|renderer'), 'the web relay is a client of the daemon socket only']),
  },
  {
    files: ['electron/**/*.ts'],
    rules: forbid(ENGINE_NOT_API, [UP_TO('cli|web|renderer'), 'Electron main is a client of the daemon socket only']),
  },
  {
    files: ['**/*.ts'],
    ignores: ['engine/api/wire.ts', 'dist/**', 'node_modules/**'],
    languageOptions: { parser: tseslint.parser },
    rules: oneFraming,
  },
  {
    files: ['renderer/**/*.vue'],
    rules: oneFraming,
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.vue'],
    rules: forbid(ENGINE_NOT_API, [UP_TO('cli|web|electron'), 'the page talks to the engine through window.engine only'], NODE),
  },
);
