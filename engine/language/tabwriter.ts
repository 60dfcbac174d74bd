/**
 * Go's text/tabwriter, for the layouts minimega prints with it: cells end at a tab, the text after a
 * line's last tab is not a cell of any column; a column block is a run of consecutive lines that have a
 * cell in that column, and every cell of a block is padded to the block's widest cell plus `padding`
 * (at least `minwidth`). With `padchar` '\t' the padding is tabs and widths round up to `tabwidth`.
 * Widths count runes, as Go does. Nothing is trimmed: minicli trims the whole output, not each line.
 */

export interface TabOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: ' ' | '\t';
}

/** How minicli lays out tables and minimega its `vm config` blocks (Init(w, 5, 0, 1, ' ', 0)). */
export const TABLE: TabOptions = { minwidth: 5, tabwidth: 0, padding: 1, padchar: ' ' };

function runes(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Format text holding `\t`-separated cells and `\n`-separated lines. */
export function tabwrite(text: string, opts: TabOptions = TABLE): string {
  // A trailing newline ends the last line; Go emits it, so keep it.
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = [];

  const pad = (textw: number, cellw: number): string => {
    if (opts.padchar === '\t') {
      if (opts.tabwidth === 0) return '';
      const w = Math.ceil(cellw / opts.tabwidth) * opts.tabwidth;
      return '\t'.repeat(Math.ceil((w - textw) / opts.tabwidth));
    }
    return ' '.repeat(Math.max(0, cellw - textw));
  };

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      let s = '';
      cells.forEach((c, j) => {
        if (j === cells.length - 1) {
          s += c;
          return;
        }
        s += c;
        if (j < widths.length) s += pad(runes(c), widths[j]!);
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let t = line0; t < line1; t++) {
      if (column >= lines[t]!.length - 1) continue;
      writeLines(line0, t);
      line0 = t;
      let width = opts.minwidth;
      for (; t < line1; t++) {
        const cells = lines[t]!;
        if (column >= cells.length - 1) break;
        width = Math.max(width, runes(cells[column]!) + opts.padding);
      }
      widths.push(width);
      format(line0, t);
      widths.pop();
      line0 = t;
      t--; // the for loop's t++ revisits the line that ended the block
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}
