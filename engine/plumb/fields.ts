/**
 * How minimega's plumber splits a pipeline element into a program and its arguments: on white space,
 * with double-quoted groups kept together and their quotes dropped (miniplumber fieldsQuoteEscape).
 * `sed -u "s/a b/c/"` → sed, -u, s/a b/c/.
 */
export function quotedFields(input: string): string[] {
  const out: string[] = [];
  let group: string | undefined;
  for (const word of input.split(/\s+/).filter((w) => w !== '')) {
    if (group !== undefined) {
      if (word.includes('"')) {
        out.push(`${group} ${word.replaceAll('"', '')}`);
        group = undefined;
      } else {
        group += ` ${word}`;
      }
    } else if (word.includes('"')) {
      // A word ending in a quote ("foo") closes at once; otherwise the group runs to the next quote.
      if (word.endsWith('"')) out.push(word.replaceAll('"', ''));
      else group = word.replaceAll('"', '');
    } else {
      out.push(word);
    }
  }
  // An unterminated group is kept (minimega drops it, and with it the arguments a user typed).
  if (group !== undefined) out.push(group);
  return out;
}
