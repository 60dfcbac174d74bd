/**
 * One session of the language (a socket connection, a script run, the app's prompt): takes a line as a
 * client typed it, expands an alias, lexes and matches it against the command table, preprocesses and
 * runs it, records it in history and renders its output like minicli. State every client shares (flags,
 * history, aliases, `.env`, background jobs) lives in the Language; the current namespace is the
 * session's own.
 */
import type { CommandResult } from '../api/types.js';
import type { CommandTrie } from './compile.js';
import {
  type CallContext,
  type Chunk,
  type Command,
  type Compiled,
  type Handler,
  type LanguageDeps,
  type NamespaceScope,
  type Reply,
  type SessionApi,
  invalidCommand,
} from './handler.js';
import { lexInput } from './input.js';
import { preprocessCommand } from './preprocess.js';
import { render } from './render.js';
import { type Flags, type Response, errorResponse } from './response.js';
import type { LanguageState } from './state.js';
import { completeLines, suggest } from './suggest.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';
import type { Namespaces } from '../namespace/namespaces.js';
import type { EngineCalls } from './namespace-bridge.js';

/** minimega's default namespace. */
export { DEFAULT_NAMESPACE };

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A chunk with every flag set, ready to render. */
export interface ResolvedChunk {
  response: Response;
  flags: Flags;
}

function errorChunk(e: unknown): Chunk {
  return { response: errorResponse(errorMessage(e)), flags: {} };
}

/** Data (`file stream`'s base64) a client that does not stream may collect from one command. */
export const STREAM_COLLECT_MAX = 64 << 20;

/** A reply as what it is made of: chunks now, or responses still to come. */
function parts(reply: Reply): { chunks: Chunk[] } | { stream: AsyncIterable<Response> } {
  if ('stream' in reply) return { stream: reply.stream };
  return { chunks: 'chunks' in reply ? reply.chunks : [{ response: reply, flags: {} }] };
}

function dataBytes(r: Response): number {
  return typeof r.data === 'string' ? r.data.length : 0;
}

/** The parts of a Language a session works with. */
export interface LanguageCore {
  readonly deps: LanguageDeps;
  readonly state: LanguageState;
  readonly trie: CommandTrie;
  readonly namespaces: Namespaces;
  scope(name: string): NamespaceScope;
  /** The engine bound to a namespace (namespace-bridge.ts). */
  engineFor(name: string): EngineCalls;
}

export class Session implements SessionApi {
  /** The namespace this session's commands run in: new sessions start in the daemon's active one. */
  namespace: string;

  /**
   * `local`: the session answers for this host only (a peer's fan-out, minimega's commands with a
   * Source): its commands never fan out to the cluster again.
   */
  constructor(
    private readonly lang: LanguageCore,
    private readonly opts: { local?: boolean } = {},
  ) {
    this.namespace = lang.namespaces.active;
  }

  get handlers(): readonly Handler[] {
    return this.lang.trie.handlers;
  }

  helpMatches(words: string[]): Handler[] {
    return this.lang.trie.helpMatches(words);
  }

  scope(name: string): NamespaceScope {
    return this.lang.scope(name);
  }

  async switchNamespace(name: string): Promise<void> {
    this.lang.scope(name);
    this.namespace = name;
    await this.lang.namespaces.setActive(name);
  }

  /** Run one line typed by a client and render it. */
  async exec(line: string): Promise<CommandResult> {
    const host = this.lang.deps.hostname;
    const parts = (await this.chunks(line)).map((c): CommandResult => ({ output: render(c.response, c.flags, host), errors: c.response.errors }));
    if (parts.length === 0) return { output: '', errors: [] };
    if (parts.length === 1) return parts[0]!;
    return {
      output: parts
        .map((p) => p.output)
        .filter((o) => o !== '')
        .join('\n'),
      errors: parts.flatMap((p) => p.errors),
      chunks: parts,
    };
  }

  /** A line typed by a client, as chunks with their flags resolved. */
  async chunks(line: string): Promise<ResolvedChunk[]> {
    const out: ResolvedChunk[] = [];
    await this.stream(line, (c) => void out.push(c), false);
    return out;
  }

  /**
   * A line typed by a client, each chunk handed to `emit` with its flags resolved as soon as it is made
   * (the minimega socket sends each); `streams` false collects a streamed reply (STREAM_COLLECT_MAX).
   */
  async stream(line: string, emit: (chunk: ResolvedChunk) => void | Promise<void>, streams = true): Promise<void> {
    const state = this.lang.state;
    const resolved = (c: Chunk): ResolvedChunk => ({ response: c.response, flags: { ...state.flags, ...c.flags } });
    let compiled: Compiled;
    try {
      compiled = this.compile(state.expandAliases(line));
    } catch (e) {
      await emit(resolved(errorChunk(e)));
      return;
    }
    if (streams) await this.run(compiled, (c) => emit(resolved(c)));
    else for (const c of await this.run(compiled)) await emit(resolved(c));
  }

  /** Completions for a partly typed line (minicli Suggest): the words that may come next, sorted. */
  suggest(line: string): Promise<string[]> {
    return suggest(this.context(this.scope(this.namespace)), this.lang.trie.handlers, line);
  }

  /** Whole completed lines (minimega's Suggest reply and `nanomega attach`'s tab completion). */
  async complete(line: string): Promise<string[]> {
    return completeLines(line, await this.suggest(line));
  }

  compile(line: string): Compiled {
    const trimmed = line.trim();
    if (trimmed === '') return { kind: 'blank' };
    const words = lexInput(trimmed);
    if (trimmed.startsWith('#')) return { kind: 'comment', line: trimmed };
    const cmd = this.lang.trie.compile(words, this.lang.state.commandFlags);
    if (!cmd) throw invalidCommand(trimmed);
    cmd.original = trimmed;
    // A script is not recorded; the commands it runs are (minimega's history help).
    for (let c: Command | undefined = cmd; c; c = c.subcommand) if (c.handler.script) cmd.record = false;
    return { kind: 'command', cmd };
  }

  async run(compiled: Compiled, emit?: (chunk: Chunk) => void | Promise<void>): Promise<Chunk[]> {
    const state = this.lang.state;
    if (compiled.kind === 'blank') return [];
    if (compiled.kind === 'comment') {
      // minicli records comment lines (a no-op command) so history replays them.
      if (state.commandFlags.record) state.record(compiled.line);
      return [];
    }
    const top = compiled.cmd;
    const chunks: Chunk[] = [];
    // Flags are fixed when the output is made: a later `.annotate false` does not change it.
    const out = async (c: Chunk) => {
      const fixed = { response: c.response, flags: { ...state.flags, ...c.flags } };
      if (emit) await emit(fixed);
      else chunks.push(fixed);
    };
    await this.runChain(top, out, !!emit);
    // Namespaces the command changed (vm config, queue, counter) are durable before it answers.
    await this.lang.namespaces.commit().catch((e: unknown) => out(errorChunk(e)));
    if (top.record && !this.opts.local) state.record(top.original);
    return chunks;
  }

  private context(ns: NamespaceScope): CallContext {
    const { cluster, ...deps } = this.lang.deps;
    return {
      deps: { ...deps, engine: this.lang.engineFor(ns.name), ...(cluster && !this.opts.local ? { cluster } : {}) },
      state: this.lang.state,
      ns,
      session: this,
    };
  }

  /**
   * Run a command and the commands it wraps, outermost first: each level is preprocessed and its
   * wrapper's `before` runs; the innermost level is called; then each wrapper's `after` transforms the
   * output, innermost first. A loop, not recursion, however deep the nesting.
   */
  private async runChain(top: Command, out: (chunk: Chunk) => Promise<void>, streams: boolean): Promise<void> {
    const chain: Command[] = [];
    for (let c: Command | undefined = top; c; c = c.subcommand) chain.push(c);
    const contexts: CallContext[] = [];
    let reply: ReturnType<typeof parts> = { chunks: [] };
    for (let i = 0; i < chain.length; i++) {
      const cmd = chain[i]!;
      let ctx: CallContext;
      const inner = chain[i + 1];
      try {
        ctx = this.context(this.scope(cmd.namespace ?? this.namespace));
        if (cmd.preprocess) await preprocessCommand(cmd, (n) => ctx.state.env(n), ctx.deps.host, ctx.deps.filesDir);
        if (inner) cmd.handler.wrap?.before?.(ctx, cmd, inner);
      } catch (e) {
        reply = { chunks: [errorChunk(e)] };
        break;
      }
      if (inner) {
        inner.namespace ??= cmd.namespace;
        contexts.push(ctx);
        const run = cmd.handler.wrap?.run;
        if (!run) continue;
        try {
          reply = parts(await run(ctx, cmd, inner));
        } catch (e) {
          reply = { chunks: [errorChunk(e)] };
        }
        break;
      }
      try {
        if (!cmd.handler.call) throw invalidCommand(cmd.original);
        reply = parts(await cmd.handler.call(ctx, cmd));
      } catch (e) {
        reply = { chunks: [errorChunk(e)] };
      }
    }
    const wrapped = (chunk: Chunk): Chunk => {
      let c = chunk;
      for (let j = contexts.length - 1; j >= 0; j--) {
        const after = chain[j]!.handler.wrap?.after;
        if (!after) continue;
        try {
          c = after(contexts[j]!, chain[j]!, c);
        } catch (e) {
          c = { response: errorResponse(errorMessage(e)) as Response, flags: c.flags };
        }
      }
      return c;
    };
    if ('chunks' in reply) {
      for (const c of reply.chunks) await out(wrapped(c));
      return;
    }
    let collected = 0;
    try {
      for await (const response of reply.stream) {
        collected += dataBytes(response);
        if (!streams && collected > STREAM_COLLECT_MAX) {
          await out(errorChunk(new Error(`output over ${STREAM_COLLECT_MAX >> 20} MiB: this client collects it; the minimega socket streams it`)));
          return;
        }
        await out(wrapped({ response, flags: {} }));
      }
    } catch (e) {
      await out(wrapped(errorChunk(e)));
    }
  }
}
