/**
 * Go's path/filepath.Match for one path element, which minimega's `file` globs use: `*` any run of
 * characters, `?` one character, `[abc]`, `[a-z]`, `[^a-z]` a class, `\` escapes the next character.
 * A malformed pattern is Go's ErrBadPattern.
 */

export class BadPattern extends Error {
  constructor() {
    super('syntax error in pattern');
  }
}

/** True when the element holds any of Go's meta characters. */
export function hasMeta(element: string): boolean {
  return /[*?[\\]/.test(element);
}

/** The pattern as a regular expression anchored on both ends. */
export function patternRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '\\') {
      if (i + 1 >= pattern.length) throw new BadPattern();
      re += escape(pattern[++i]!);
    } else if (ch === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      let first = true;
      for (;;) {
        if (j >= pattern.length) throw new BadPattern();
        let c = pattern[j]!;
        if (c === ']' && !first) break;
        first = false;
        if (c === '\\') {
          if (++j >= pattern.length) throw new BadPattern();
          c = pattern[j]!;
        }
        cls += escapeClass(c);
        if (pattern[j + 1] === '-' && pattern[j + 2] !== undefined && pattern[j + 2] !== ']') {
          let hi = pattern[j + 2]!;
          j += 2;
          if (hi === '\\') {
            if (++j >= pattern.length) throw new BadPattern();
            hi = pattern[j]!;
          }
          if (hi < c) throw new BadPattern();
          cls += `-${escapeClass(hi)}`;
        }
        j++;
      }
      if (cls === '' || cls === '^') throw new BadPattern();
      re += `[${cls}]`;
      i = j;
    } else re += escape(ch);
  }
  return new RegExp(`^${re}$`, 's');
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClass(c: string): string {
  return c.replace(/[\]\\^-]/g, '\\$&');
}
