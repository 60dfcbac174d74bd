import type { CliCommand } from './deps.js';
import { COMMANDS } from './commands/index.js';

/**
 * Tab completion from the command table, in minimega's shape (cmd/minimega cliCompleter): whole
 * lines, each the input with its last word replaced by a completion and a trailing space, sorted.
 * Served as `cli.suggest` on the daemon socket and as `Suggest` on the minimega socket.
 */
export function suggest(line: string, commands: readonly CliCommand[] = COMMANDS): string[] {
  const words = line.trimStart().split(/\s+/).filter(Boolean);
  const partial = /\s$/.test(line) || words.length === 0 ? '' : words.pop()!;
  const next = new Set<string>();
  for (const c of commands) {
    if (c.words.length <= words.length || !words.every((w, i) => c.words[i] === w)) continue;
    const word = c.words[words.length]!;
    if (word.startsWith(partial)) next.add(word);
  }
  const head = line.slice(0, line.length - partial.length);
  return [...next].sort().map((w) => `${head}${w} `);
}
