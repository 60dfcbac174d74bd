/**
 * One CLI session (a connection, a script run, the app's console): lexes a line, applies dot-commands
 * outer → inner, runs the verb and renders its response like minicli.
 */
import type { CommandResult } from '../api/types.js';
import { COMMANDS, findCommand } from './commands/index.js';
import { type CliCommand, type CliDeps, invalidCommand } from './deps.js';
import { applyColumns, applyFilter, parseFilter, render } from './render.js';
import { type Flags, type Response, defaultFlags, errorResponse, textResponse } from './response.js';
import { type Token, tokenize } from './lexer.js';

export type { CliDeps } from './deps.js';

/** Boolean output flags and the Flags key each sets. */
const FLAG_COMMANDS: Record<string, 'annotate' | 'compress' | 'headers' | 'sort'> = {
  '.annotate': 'annotate',
  '.compress': 'compress',
  '.headers': 'headers',
  '.sort': 'sort',
};
const MODE_COMMANDS: Record<string, 'json' | 'csv'> = { '.json': 'json', '.csv': 'csv' };

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A response and the flags it renders with. */
export interface Chunk {
  response: Response;
  flags: Flags;
}

/** A response plus the flag overrides dot-commands put on it (minicli's Response.Flags). */
interface Outcome {
  response: Response;
  flags: Partial<Flags>;
}

export class CliSession {
  /** Session defaults, changed by `.json true` and friends. */
  readonly defaults: Flags = defaultFlags();

  constructor(
    private readonly deps: CliDeps,
    private readonly commands: readonly CliCommand[] = COMMANDS,
  ) {}

  async exec(line: string): Promise<CommandResult> {
    const chunks = await this.chunks(line);
    if (chunks.length === 0) return { output: '', errors: [] };
    const { response, flags } = chunks[0]!;
    return { output: render(response, flags, this.deps.hostname), errors: response.errors };
  }

  /** One line as minicli responses with their flags resolved (none for a blank line; the minimega socket sends each). */
  async chunks(line: string): Promise<Chunk[]> {
    let tokens: Token[];
    try {
      tokens = tokenize(line, this.deps.env);
    } catch (e) {
      return [{ response: errorResponse(errorMessage(e)), flags: { ...this.defaults } }];
    }
    if (tokens.length === 0) return [];
    const { response, flags } = await this.run(tokens, line);
    return [{ response, flags: { ...this.defaults, ...flags } }];
  }

  private async run(tokens: Token[], line: string): Promise<Outcome> {
    const head = tokens[0]!;
    const words = tokens.map((t) => t.value);
    if (!head.quoted && head.value.startsWith('.')) return this.dot(words, tokens, line);
    const command = findCommand(words, this.commands);
    if (!command) return { response: errorResponse(invalidCommand(line).message), flags: {} };
    try {
      return { response: await command.run(this.deps, words.slice(command.words.length)), flags: {} };
    } catch (e) {
      return { response: errorResponse(errorMessage(e)), flags: {} };
    }
  }

  private async dot(words: string[], tokens: Token[], line: string): Promise<Outcome> {
    const name = words[0]!;
    const arg = words[1];
    const isBool = arg === 'true' || arg === 'false';
    const flagKey = FLAG_COMMANDS[name];
    const mode = MODE_COMMANDS[name];

    if (flagKey || mode) {
      if (words.length === 1) {
        const current = flagKey ? this.defaults[flagKey] : this.defaults.mode === mode;
        return { response: textResponse(String(current)), flags: {} };
      }
      if (!isBool) return { response: errorResponse(invalidCommand(line).message), flags: {} };
      const on = arg === 'true';
      if (words.length === 2) {
        // New session default.
        if (flagKey) this.defaults[flagKey] = on;
        else if (on) this.defaults.mode = mode!;
        else if (this.defaults.mode === mode) this.defaults.mode = 'default';
        return { response: errorResponse(), flags: {} };
      }
      const inner = await this.run(tokens.slice(2), line);
      const flags = { ...inner.flags };
      if (flagKey) flags[flagKey] = on;
      else if (on) flags.mode = mode!;
      else if ((flags.mode ?? this.defaults.mode) === mode) flags.mode = 'default';
      return { response: inner.response, flags };
    }

    if (name === '.filter' || name === '.columns') {
      if (words.length < 3) return { response: errorResponse(invalidCommand(line).message), flags: {} };
      const inner = await this.run(tokens.slice(2), line);
      try {
        const response =
          name === '.filter'
            ? applyFilter(inner.response, parseFilter(arg!), this.deps.hostname)
            : applyColumns(inner.response, arg!);
        return { response, flags: inner.flags };
      } catch (e) {
        return { response: errorResponse(errorMessage(e)), flags: inner.flags };
      }
    }

    return { response: errorResponse(invalidCommand(line).message), flags: {} };
  }
}
