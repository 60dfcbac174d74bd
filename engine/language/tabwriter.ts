/**
 * Go text/tabwriter as minimega configures it (minwidth 5, tabwidth 0, padding 1, pad with spaces, no
 * flags), for rows that all have the same number of cells: every cell but the last of a line is padded to
 * its column's width, which is max(5, widest cell + 1). Widths count runes, like Go.
 */

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export const MIN_WIDTH = 5;
export const PADDING = 1;

/** Lay out lines of tab-separated cells; trailing spaces of each line are trimmed. */
export function tabwrite(lines: string[][]): string {
  const widths: number[] = [];
  for (const cells of lines) {
    for (let j = 0; j < cells.length - 1; j++) {
      widths[j] = Math.max(widths[j] ?? MIN_WIDTH, runeLength(cells[j]!) + PADDING);
    }
  }
  return lines
    .map((cells) =>
      cells
        .map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(widths[j]! - runeLength(c)) : c))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
