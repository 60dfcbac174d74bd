/**
 * The minimega command-line lexer: words split on white space, `"…"` and `'…'` quoting, `#` comments and
 * `$VAR` expansion.
 *
 * * A `#` that begins an unquoted word starts a comment that runs to the end of the line.
 * * `$NAME` and `${NAME}` expand from the environment outside quotes and inside double quotes, never inside
 *   single quotes. An unset variable is left as written, so the error that follows names it.
 * * Adjacent quoted and unquoted pieces join into one word (`a"b c"` → `ab c`).
 */

export interface Token {
  value: string;
  /** True when any part of the word was quoted (a quoted word is never a comment or dot-command). */
  quoted: boolean;
}

const VAR_RE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

function expand(s: string, env: Record<string, string | undefined>): string {
  return s.replace(VAR_RE, (whole, braced: string | undefined, bare: string | undefined) => {
    const v = env[(braced ?? bare)!];
    return v === undefined ? whole : v;
  });
}

export function tokenize(line: string, env: Record<string, string | undefined> = {}): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i]!)) i++;
    if (i >= n) break;
    if (line[i] === '#') break; // comment to end of line
    let value = '';
    let quoted = false;
    let plain = '';
    const flushPlain = (): void => {
      value += expand(plain, env);
      plain = '';
    };
    while (i < n && !/\s/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === '"' || ch === "'") {
        flushPlain();
        const end = line.indexOf(ch, i + 1);
        if (end === -1) throw new Error(`missing terminal ${ch}`);
        const body = line.slice(i + 1, end);
        value += ch === '"' ? expand(body, env) : body;
        quoted = true;
        i = end + 1;
      } else {
        plain += ch;
        i++;
      }
    }
    flushPlain();
    tokens.push({ value, quoted });
  }
  return tokens;
}

/** True when the line holds nothing to run (blank or a comment). */
export function isBlankOrComment(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}
