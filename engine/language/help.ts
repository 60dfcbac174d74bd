/**
 * `help` from the command table (minicli Help): without arguments every pattern with its one-line help;
 * with words, the long help of the one command they name, or the short list of the several they start.
 */
import type { Handler } from './handler.js';
import { lexPattern, patternString } from './pattern.js';
import { tabwrite } from './tabwriter.js';

/** The shortest run of leading literal words all patterns of a handler share (minicli findPrefix). */
export function sharedPrefix(h: Handler): string {
  const prefixes = h.patterns.map((p) => {
    const lits: string[] = [];
    for (const item of lexPattern(p)) {
      if (item.kind !== 'literal') break;
      lits.push(item.text);
    }
    return lits.join(' ');
  });
  if (prefixes.some((p) => p === '')) return '';
  let shared = prefixes[0]!;
  for (const p of prefixes.slice(1)) {
    let j = 0;
    while (j < shared.length && j < p.length && shared[j] === p[j]) j++;
    shared = shared.slice(0, j);
  }
  return shared.trim();
}

/** Every pattern and its one-line help, one per line, sorted (minicli printHelpShort). */
export function helpShort(handlers: readonly Handler[]): string {
  const rows: [string, string][] = [];
  for (const h of handlers) for (const p of h.patterns) rows.push([p, h.help]);
  rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Go's fmt.Fprintln puts a space between operands; the cells are tab-terminated.
  const text = rows.map(([p, help]) => `${p} \t :\t ${help} \t\n`).join('');
  return 'Display help on a command. Here is a list of commands:\n' + tabwrite(text, { minwidth: 0, tabwidth: 8, padding: 0, padchar: '\t' });
}

/** `Usage:` with every pattern, then the long help (minicli helpLong). */
export function helpLong(h: Handler): string {
  const usage = h.patterns.map((p) => `\t${patternString(lexPattern(p))}\n`).join('');
  return `Usage:\n${usage}\n${h.helpLong ?? h.help}`;
}

/** `help [words]`. */
export function helpText(all: readonly Handler[], matches: Handler[] | undefined, input: string): string {
  if (matches === undefined) return helpShort(all);
  if (matches.length === 0) return `no help entry for \`${input}\``;
  if (matches.length === 1) return helpLong(matches[0]!);
  // Several handlers but only one with long help (`vm config` and its fields): show that one's usage
  // with every matching pattern.
  const long = matches.filter((h) => h.helpLong);
  if (long.length === 1) return helpLong({ patterns: matches.flatMap((h) => h.patterns), help: long[0]!.help, helpLong: long[0]!.helpLong! });
  return helpShort(matches);
}
