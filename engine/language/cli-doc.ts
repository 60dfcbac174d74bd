/**
 * The command table as `minimega -cli` prints it: minicli.Doc, Go's json.Marshal of every registered
 * handler, in table order. minimega's pyapigen reads it to generate the Python bindings (one method per
 * command, arguments from the parsed patterns), and its doc tools read it too, so `nanomega -cli` lets
 * them work from nanomega's own table.
 *
 * Each pattern item is minicli's PatternItem: `type` is a set of minicli's item bits (pattern.go),
 * `key` the word variables are stored under (absent for literals and choices), `text` the item as
 * written between its brackets, `options` a choice's words. Empty fields are left out, as Go's
 * `omitempty` does.
 */
import { goJsonEscape } from '../config/go-values.js';
import type { Handler } from './handler.js';
import { sharedPrefix } from './help.js';
import { lexPattern, type PatternItem } from './pattern.js';

/** minicli's itemType bits, in its order (1 << iota). */
export const ITEM_BITS = { optional: 1, literal: 2, command: 4, string: 8, choice: 16, list: 32 } as const;

export interface MinicliItem {
  type: number;
  key?: string;
  text?: string;
  options?: string[];
}

export interface MinicliHandler {
  help_short: string;
  help_long: string;
  patterns: string[];
  shared_prefix: string;
  parsed_patterns: MinicliItem[][];
}

export function minicliItem(item: PatternItem): MinicliItem {
  const optional = item.optional ? ITEM_BITS.optional : 0;
  switch (item.kind) {
    case 'literal':
      return { type: ITEM_BITS.literal, text: item.text };
    case 'command':
      return { type: ITEM_BITS.command, key: item.key, text: item.text };
    case 'choice':
      // minicli records no key for a choice: the chosen word is a bool arg of its own.
      return { type: ITEM_BITS.choice | optional, text: item.text, options: [...item.options] };
    case 'string':
      return { type: ITEM_BITS.string | optional, key: item.key, text: item.text };
    case 'list':
      return { type: ITEM_BITS.list | optional, key: item.key, text: item.text };
  }
}

export function minicliHandler(h: Handler): MinicliHandler {
  return {
    help_short: h.help.trim(),
    help_long: (h.helpLong ?? '').trim(),
    patterns: [...h.patterns],
    shared_prefix: sharedPrefix(h),
    parsed_patterns: h.patterns.map((p) => lexPattern(p).map(minicliItem)),
  };
}

/** The whole table as one line of JSON, escaped as Go's encoder escapes it. */
export function minicliDoc(handlers: readonly Handler[]): string {
  return goJsonEscape(JSON.stringify(handlers.map(minicliHandler)));
}
