/**
 * The shapes of the command table: a Handler declares minicli patterns, a one-line help and what to
 * do; the compiler turns a line into a Command (the args its pattern captured); the session runs it
 * with a CallContext and renders what it returns.
 */
import type { EngineBridge } from '../api/contract.js';
import type { ConfigStore } from '../config/config-store.js';
import type { Namespace, Namespaces } from '../namespace/namespaces.js';
import type { QueuedLaunch } from '../namespace/record.js';
import type { ClusterPort } from './cluster-port.js';
import type { LanguageHost } from './host.js';
import type { Flags, Response } from './response.js';
import type { LanguageState } from './state.js';

/** One compiled level of a line (minicli's Command). */
export interface Command {
  handler: Handler;
  /** The line as typed for the top level; a nested level's own words, re-quoted. */
  original: string;
  /** The words this level's own pattern consumed (the nested command's words excluded). */
  words: string[];
  stringArgs: Record<string, string>;
  boolArgs: Record<string, boolean>;
  listArgs: Record<string, string[]>;
  /** The command a `(command)` item wraps. */
  subcommand?: Command;
  /** Record the line in `history` (only the top level's flag counts). */
  record: boolean;
  /** Run `$VAR` expansion and `file:` resolution on the args before the handler sees them. */
  preprocess: boolean;
  /** Run in this namespace instead of the session's (set by a `namespace NAME (command)` wrapper). */
  namespace?: string;
}

/** Rendered output of one step of a command: a response and the flags it is rendered with. */
export interface Chunk {
  response: Response;
  /** Overrides of the session defaults (`.csv true CMD` sets mode). */
  flags: Partial<Flags>;
}

/**
 * What a call returns: one response, several chunks (`read` gives one or more per line), or responses
 * made one after another (`file stream`): a client that streams (the minimega socket) sends each as it
 * comes, others collect them up to STREAM_COLLECT_MAX bytes of data.
 */
export type Reply = Response | { chunks: Chunk[] } | { stream: AsyncIterable<Response> };

/**
 * Everything a namespace holds that the language reads or changes: the engine's namespace itself
 * (engine/namespace/namespaces.ts: its `vm config`, launch counter, queueing and queue, durable).
 */
export type NamespaceScope = Namespace;
export type { QueuedLaunch };

/** What the language needs from its host process (the daemon, a test, the app hosting the engine). */
export interface LanguageDeps {
  engine: Pick<EngineBridge, 'call'>;
  /** The default namespace's `vm config`. */
  config: ConfigStore;
  /** The daemon's namespaces (absent: an in-memory registry around `config`, for tests). */
  namespaces?: Namespaces;
  /** Base environment of `$VAR` expansion and `.env` (the daemon's). */
  env: Record<string, string | undefined>;
  /** This host's name: the `host` column of `.annotate` and the Host of `.json`. */
  hostname: string;
  /** minimega's files directory (`file:` arguments, relative paths of `read`). */
  filesDir: string;
  host: LanguageHost;
  /** The cluster this daemon belongs to (commands fan out to its hosts); absent when alone or answering a peer. */
  cluster?: ClusterPort;
}

/** A line after lexing and matching: nothing to run, a comment (recorded in history), or a command. */
export type Compiled = { kind: 'blank' } | { kind: 'comment'; line: string } | { kind: 'command'; cmd: Command };

/** What handlers may ask of the session that runs them. */
export interface SessionApi {
  /** The session's current namespace (`namespace NAME` changes it, through switchNamespace). */
  namespace: string;
  /**
   * Make `name` the session's namespace (created when new) and the one new sessions start in, as
   * minimega's process-wide active namespace; E_CONFIG for a bad name.
   */
  switchNamespace(name: string): Promise<void>;
  /** The scope of a namespace, created on first use. */
  scope(name: string): NamespaceScope;
  /** Lex and match a line (no alias expansion); throws lexer errors and `invalid command`. */
  compile(line: string): Compiled;
  /**
   * Run a compiled line as if typed: history, flags resolved; never throws (errors are chunks). With
   * `emit`, every chunk goes there as it is made (none are returned); the next is made once the
   * promise emit returns settles (a client's backpressure).
   */
  run(compiled: Compiled, emit?: (chunk: Chunk) => void | Promise<void>): Promise<Chunk[]>;
  /** Every handler, for `help` and the README. */
  readonly handlers: readonly Handler[];
  /** Handlers whose patterns start with the given words (`help vm`). */
  helpMatches(words: string[]): Handler[];
}

export interface CallContext {
  deps: LanguageDeps;
  state: LanguageState;
  /** The namespace this command runs in. */
  ns: NamespaceScope;
  session: SessionApi;
}

/** A handler whose pattern ends in `(command)` changes the command it wraps and/or its output. */
export interface Wrapper {
  /** Before the inner command runs (`.record`, `.preprocess`, `namespace`). */
  before?(ctx: CallContext, cmd: Command, inner: Command): void;
  /** Each chunk of the inner command's output, innermost wrapper first (`.filter`, `.csv true`). */
  after?(ctx: CallContext, cmd: Command, chunk: Chunk): Chunk;
  /** Runs the inner command itself instead of the session (`mesh send` runs it on other hosts). */
  run?(ctx: CallContext, cmd: Command, inner: Command): Promise<Reply>;
}

export interface Handler {
  /** minicli patterns (see pattern.ts). */
  patterns: readonly string[];
  /** One line: `help` lists it, the README's language section prints it. */
  help: string;
  /** More text for `help CMD`. */
  helpLong?: string;
  /** Runs the command (patterns without `(command)`). */
  call?(ctx: CallContext, cmd: Command): Promise<Reply>;
  /** For patterns ending in `(command)`. */
  wrap?: Wrapper;
  /** Runs a script (`read`): never recorded itself, never inside another script. */
  script?: true;
  /** Completions for a string/list item `key` given what was typed so far. */
  suggest?(ctx: CallContext, key: string, prefix: string): Promise<string[]>;
}

/** minicli's error for input that matches no command (or matches ambiguously). */
export function invalidCommand(line: string): Error {
  return new Error(`invalid command: \`${line.trim()}\``);
}
