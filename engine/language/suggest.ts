/**
 * Completion from the command table (minicli Suggest and minimega's cliCompleter): for the last word
 * of a partly typed line, the literal words, choice options and (through a handler's suggest) VM names
 * that can come next. A trailing space means the last word is complete. `complete` gives whole lines,
 * as minimega's Suggest reply does; `$VAR` completes from the environment.
 */
import type { CallContext, Handler } from './handler.js';
import { lexInput } from './input.js';
import { type PatternItem, lexPattern } from './pattern.js';

/** Nesting of `(command)` items followed when completing (deeper lines get no suggestions). */
const MAX_DEPTH = 32;

const parsed = new WeakMap<Handler, PatternItem[][]>();
function patternsOf(h: Handler): PatternItem[][] {
  let p = parsed.get(h);
  if (!p) parsed.set(h, (p = h.patterns.map(lexPattern)));
  return p;
}

async function suggestWords(ctx: CallContext, handlers: readonly Handler[], raw: string, words: string[], out: Set<string>, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) return;
  const complete = /\s$/.test(raw);
  for (const h of handlers) {
    for (const pattern of patternsOf(h)) {
      let i = 0;
      let item = pattern[0]!;
      let skip = false;
      for (let k = 0; k < pattern.length; k++) {
        i = k;
        item = pattern[k]!;
        if (words.length === k) break;
        const val = words[k]!;
        if (item.kind === 'literal' && !item.key.startsWith(val)) skip = true;
        else if (item.kind === 'choice' && !item.options.some((o) => o.startsWith(val))) skip = true;
        else if (item.kind === 'list') skip = true;
        else if (item.kind === 'command') await suggestWords(ctx, handlers, raw, words.slice(k), out, depth + 1);
        if (skip) break;
        if (words.length === k + 1 && !complete) break;
      }
      if (skip) continue;
      if (words.length === pattern.length && complete) continue;
      if (words.length > pattern.length && item.kind !== 'command') continue;
      const typed = i < words.length ? words[i]! : '';
      switch (item.kind) {
        case 'literal':
          out.add(item.key);
          break;
        case 'choice':
          for (const o of item.options) if (o.startsWith(typed)) out.add(o);
          break;
        case 'string':
        case 'list':
          if (h.suggest) for (const s of await h.suggest(ctx, item.key, typed)) out.add(s);
          break;
        case 'command':
          await suggestWords(ctx, handlers, raw, words.slice(i), out, depth + 1);
          break;
      }
    }
  }
}

/** Words that may come next (minicli Suggest), sorted. */
export async function suggest(ctx: CallContext, handlers: readonly Handler[], raw: string): Promise<string[]> {
  let words: string[];
  try {
    words = lexInput(raw);
  } catch {
    return [];
  }
  const out = new Set<string>();
  await suggestWords(ctx, handlers, raw, words, out, 0);
  if (out.size === 0 && !/\s$/.test(raw) && words.length > 0) {
    const last = words[words.length - 1]!;
    if (last.startsWith('$')) for (const [k] of ctx.state.envEntries()) if (k.startsWith(last.slice(1))) out.add(`$${k}`);
  }
  return [...out].sort();
}

/** Whole lines: the line without its last word, plus each suggestion and a space (minimega cliCompleter). */
export function completeLines(raw: string, words: string[]): string[] {
  const head = raw.replace(/\S+$/, '');
  return words.map((w) => `${head}${w}${w.endsWith('/') ? '' : ' '}`);
}
