/**
 * minicli's pattern syntax, the one notation every command of the language is declared in:
 *
 *     foo bar      literal words (each matches any prefix of itself)
 *     <foo>        a required string, stored under key `foo`; `<foo bar>` too (the rest documents it)
 *     <foo,bar>    a required choice (each option matches by prefix); `<save,>` is a one-option choice
 *     [foo]        an optional string; only at the end of a pattern
 *     [foo,bar]    an optional choice; only at the end
 *     <foo>...     one or more strings, at the end; `[foo]...` zero or more
 *     (foo)        a nested command taking the rest of the line, at the end
 *
 * Patterns are fixed text in our own table, so a malformed one is a programming error: `lexPattern`
 * throws with the pattern in the message and the table test catches it.
 */

export type ItemKind = 'literal' | 'string' | 'choice' | 'list' | 'command';

export interface PatternItem {
  kind: ItemKind;
  optional: boolean;
  /** Literal text, or the key args are stored under (`<vm target>` → `vm`). */
  key: string;
  /** Text between the brackets as written (`vm target`), for help. */
  text: string;
  /** Options of a choice. */
  options: string[];
}

const OPEN: Record<string, string> = { '<': '>', '[': ']', '(': ')' };

function fail(pattern: string, why: string): never {
  throw new Error(`invalid pattern \`${pattern}\`: ${why}`);
}

/** Split a pattern into items; throws on malformed patterns. */
export function lexPattern(pattern: string): PatternItem[] {
  const items: PatternItem[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const ch = pattern[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (items.length > 0) {
      const last = items[items.length - 1]!;
      if (last.optional || last.kind === 'list' || last.kind === 'command') fail(pattern, 'items after an optional, list or command item');
    }
    const close = OPEN[ch];
    if (close === undefined) {
      let j = i;
      while (j < n && !/\s/.test(pattern[j]!)) {
        if ('<>[]()"\''.includes(pattern[j]!)) fail(pattern, `unexpected ${pattern[j]} in a literal`);
        j++;
      }
      const word = pattern.slice(i, j);
      items.push({ kind: 'literal', optional: false, key: word, text: word, options: [] });
      i = j;
      continue;
    }
    const end = pattern.indexOf(close, i + 1);
    if (end < 0) fail(pattern, `missing terminal ${close}`);
    const body = pattern.slice(i + 1, end);
    if (/[<[(>\])"']/.test(body)) fail(pattern, 'cannot nest items');
    i = end + 1;
    let list = false;
    if (pattern.startsWith('...', i)) {
      list = true;
      i += 3;
    }
    if (i < n && !/\s/.test(pattern[i]!)) fail(pattern, `invalid trailing characters after ${close}`);
    const optional = ch === '[';
    if (ch === '(') {
      if (list) fail(pattern, 'a command item cannot be a list');
      items.push({ kind: 'command', optional: false, key: body.trim().split(/\s+/)[0]!, text: body, options: [] });
      continue;
    }
    if (body.includes(',')) {
      if (list) fail(pattern, 'a choice cannot be a list');
      if (/\s/.test(body)) fail(pattern, 'spaces not allowed in multiple choice');
      const options = body.split(',').filter((o) => o !== '');
      if (options.length === 0) fail(pattern, 'empty choice');
      items.push({ kind: 'choice', optional, key: options[0]!, text: body, options });
      continue;
    }
    const key = body.trim().split(/\s+/)[0] ?? '';
    if (key === '') fail(pattern, 'empty item');
    items.push({ kind: list ? 'list' : 'string', optional, key, text: body, options: [] });
  }
  if (items.length === 0) fail(pattern, 'empty pattern');
  return items;
}

/** An item as help prints it (minicli PatternItems.String). */
function itemString(item: PatternItem): string {
  switch (item.kind) {
    case 'literal':
      return item.text;
    case 'command':
      return `(${item.text})`;
    case 'list':
      return item.optional ? `[${item.text}]...` : `<${item.text}>...`;
    case 'choice':
      if (item.optional) return `[${item.text}]`;
      // A required choice with one option reads as the word itself.
      return item.options.length === 1 ? item.options[0]! : `<${item.text}>`;
    case 'string':
      return item.optional ? `[${item.text}]` : `<${item.text}>`;
  }
}

export function patternString(items: readonly PatternItem[]): string {
  return items.map(itemString).join(' ');
}
