/**
 * minicli's input lexer (pkg/minicli input.go): words split on white space; `"…"` and `'…'` quote (and
 * may be empty: `""` is one empty word); pieces written next to each other join into one word
 * (`a"b c"` → `ab c`); a backslash escapes `\r \n \t \\ \" \' \#`; an unquoted `#` anywhere starts a
 * comment that runs to the end of the line. `$VAR` is left alone here: the preprocessor expands it
 * after the line is matched, as minimega does.
 */

const ESCAPES: Record<string, string> = { r: '\r', n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'", '#': '#' };

/** White space as Go's unicode.IsSpace sees it. */
function isSpace(ch: string): boolean {
  return /\s/.test(ch);
}

/** Split a line into words; throws minicli's errors for an unterminated quote or a bad escape. */
export function lexInput(line: string): string[] {
  const words: string[] = [];
  let content = '';
  let emit = false;
  let quote = '';
  let i = 0;
  const n = line.length;
  const flush = (): void => {
    if (content.length > 0 || emit) words.push(content);
    content = '';
    emit = false;
  };
  // Collect runs of ordinary characters with one slice instead of a string append per character.
  while (i < n) {
    const ch = line[i]!;
    if (ch === '\\') {
      if (i + 1 >= n) throw new Error('expected escape character');
      const next = line[i + 1]!;
      const v = ESCAPES[next];
      if (v === undefined) throw new Error(`unexpected escaped character: ${next}`);
      content += v;
      i += 2;
      continue;
    }
    if (quote) {
      if (ch === quote) {
        quote = '';
        emit = true;
        i++;
        continue;
      }
      let j = i;
      while (j < n && line[j] !== quote && line[j] !== '\\') j++;
      content += line.slice(i, j);
      i = j;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      i++;
      continue;
    }
    if (ch === '#') break;
    if (isSpace(ch)) {
      flush();
      i++;
      continue;
    }
    let j = i;
    while (j < n && !isSpace(line[j]!) && !'\\"\'#'.includes(line[j]!)) j++;
    content += line.slice(i, j);
    i = j;
  }
  if (quote) throw new Error(`missing terminal ${quote}`);
  flush();
  return words;
}
