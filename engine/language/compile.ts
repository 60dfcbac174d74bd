/**
 * Matching input words against the command table, as minicli's pattern trie does (pkg/minicli trie.go):
 *
 * * every literal word and every choice option matches any prefix of itself (`vm kil`, `.col`);
 * * when several patterns match, the one matched with whole words everywhere wins; two or more
 *   prefix-only matches are ambiguous and the input is an invalid command;
 * * a string item takes one word, a list item the rest of the line, an optional item may be absent;
 * * a command item `(command)` compiles the rest of the line as a command of its own.
 *
 * Nested commands (`.filter a=b .columns a .csv true vm info`) are compiled in a loop, one level after the
 * other, never by recursion: a line of 10⁵ dot-commands costs linear time and no stack.
 */
import type { Command, Handler } from './handler.js';
import { type PatternItem, lexPattern } from './pattern.js';

interface Edge {
  item: PatternItem;
  /** The literal or option this edge matches, or the key of a string/list/command item. */
  value: string;
  node: TrieNode;
}

interface TrieNode {
  edges: Edge[];
  handler?: Handler;
}

/** One compiled level, before it is linked to the level it wraps. */
interface Candidate {
  handler: Handler;
  stringArgs: Record<string, string>;
  boolArgs: Record<string, boolean>;
  listArgs: Record<string, string[]>;
  /** Matched with whole words only. */
  exact: boolean;
  /** Index of the first word of the nested command, for patterns ending in `(command)`. */
  subAt?: number;
}

/** Most commands one line may nest (`.filter … .columns … vm info` is three); deeper is refused. */
export const MAX_NESTED = 1000;

function candidate(handler: Handler): Candidate {
  return { handler, stringArgs: {}, boolArgs: {}, listArgs: {}, exact: true };
}

export class CommandTrie {
  private readonly root: TrieNode = { edges: [] };

  constructor(readonly handlers: readonly Handler[]) {
    for (const h of handlers) for (const p of h.patterns) this.add(this.root, lexPattern(p), 0, h, p);
  }

  private add(node: TrieNode, items: PatternItem[], i: number, h: Handler, pattern: string): void {
    if (i === items.length) {
      this.setHandler(node, h, pattern);
      return;
    }
    const item = items[i]!;
    // An optional item may be absent: the handler also answers at this depth.
    if (item.optional) this.setHandler(node, h, pattern);
    const values = item.kind === 'choice' ? item.options : [item.key];
    for (const value of values) {
      let edge = node.edges.find((e) => e.item.kind === item.kind && e.item.optional === item.optional && e.value === value);
      if (!edge) {
        edge = { item, value, node: { edges: [] } };
        node.edges.push(edge);
      }
      this.add(edge.node, items, i + 1, h, pattern);
    }
  }

  private setHandler(node: TrieNode, h: Handler, pattern: string): void {
    if (node.handler && node.handler !== h) {
      throw new Error(`conflicting handlers for \`${pattern}\`: ${node.handler.patterns[0]} and ${h.patterns[0]}`);
    }
    node.handler = h;
  }

  /** One level: the best match of `words[pos..]` below `node`, or undefined (no match or ambiguous). */
  private level(node: TrieNode, words: readonly string[], pos: number): Candidate | undefined {
    if (pos === words.length) return node.handler ? candidate(node.handler) : undefined;
    const word = words[pos]!;
    const found: Candidate[] = [];
    for (const e of node.edges) {
      let c: Candidate | undefined;
      switch (e.item.kind) {
        case 'literal':
        case 'choice':
          if (!e.value.startsWith(word)) continue;
          c = this.level(e.node, words, pos + 1);
          if (c) {
            c.exact &&= e.value.length === word.length;
            if (e.item.kind === 'choice') c.boolArgs[e.value] = true;
          }
          break;
        case 'string':
          c = this.level(e.node, words, pos + 1);
          if (c) c.stringArgs[e.value] = word;
          break;
        case 'list':
          if (!e.node.handler) continue;
          c = candidate(e.node.handler);
          c.listArgs[e.value] = words.slice(pos);
          break;
        case 'command':
          if (!e.node.handler) continue;
          c = candidate(e.node.handler);
          c.subAt = pos;
          break;
      }
      if (c) found.push(c);
    }
    if (found.length <= 1) return found[0];
    const exact = found.filter((c) => c.exact);
    return exact.length === 1 ? exact[0] : undefined;
  }

  /**
   * Compile words into a command chain (outermost first, linked through `subcommand`), or undefined
   * when they match nothing or match ambiguously; throws when they nest more than MAX_NESTED deep.
   */
  compile(words: readonly string[], flags: { record: boolean; preprocess: boolean }): Command | undefined {
    if (words.length === 0) return undefined;
    let top: Command | undefined;
    let outer: Command | undefined;
    let pos = 0;
    for (let depth = 1; ; depth++) {
      if (depth > MAX_NESTED) throw new Error(`too many nested commands: more than ${MAX_NESTED} in one line`);
      const c = this.level(this.root, words, pos);
      if (!c) return undefined;
      const end = c.subAt ?? words.length;
      // Only this level's own words: copying the rest of the line at every level would be quadratic.
      const own = words.slice(pos, end);
      const cmd: Command = {
        handler: c.handler,
        original: quoteWords(own),
        words: own,
        stringArgs: c.stringArgs,
        boolArgs: c.boolArgs,
        listArgs: c.listArgs,
        record: flags.record,
        preprocess: flags.preprocess,
      };
      if (outer) outer.subcommand = cmd;
      else top = cmd;
      outer = cmd;
      if (c.subAt === undefined) return top;
      pos = c.subAt;
    }
  }

  /** Handlers whose patterns start with the given words (help's prefix search, minicli trie.help). */
  helpMatches(words: readonly string[]): Handler[] {
    const out = new Set<Handler>();
    const walk = (node: TrieNode, pos: number): void => {
      if (pos === words.length) {
        const all = (n: TrieNode): void => {
          if (n.handler) out.add(n.handler);
          for (const e of n.edges) all(e.node);
        };
        all(node);
        return;
      }
      for (const e of node.edges) {
        switch (e.item.kind) {
          case 'literal':
          case 'choice':
            if (e.value.startsWith(words[pos]!)) walk(e.node, pos + 1);
            break;
          case 'string':
            walk(e.node, pos + 1);
            break;
          default:
            if (node.handler) out.add(node.handler);
        }
      }
    };
    walk(this.root, 0);
    return [...out];
  }
}

/** Words joined back into a line, quoting those with white space (minicli inputItems.String). */
export function quoteWords(words: readonly string[]): string {
  return words.map((w) => (/\s/.test(w) ? JSON.stringify(w) : w)).join(' ');
}
