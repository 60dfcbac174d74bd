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

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points, as Go counts runes: the UTF-16 length unless a surrogate pair is there. */
function runes(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
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
      const last = cells.length - 1;
      let s = '';
      for (let j = 0; j < last; j++) {
        const c = cells[j]!;
        s += j < widths.length ? c + pad(runes(c), widths[j]!) : c;
      }
      out.push(s + cells[last]!);
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

  const cols = lines[0]!.length;
  if (lines.every((l) => l.length === cols)) {
    // Every line has the same cells: each column is one block over all lines, so one pass finds the
    // widths; the same result as the block walk below, far cheaper for long tables (minicli's own
    // tables take tabwriteTable, below, which skips building this text).
    for (let j = 0; j < cols - 1; j++) {
      let width = opts.minwidth;
      for (const cells of lines) width = Math.max(width, runes(cells[j]!) + opts.padding);
      widths.push(width);
    }
    writeLines(0, lines.length);
  } else {
    format(0, lines.length);
  }
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}

/**
 * `tabwrite(lines.map((l) => l.join(sep) + '\n').join(''), opts)` without building that text and
 * splitting it again: `sep` is a tab and what begins every cell after the first (minicli's `\t| `).
 * A table's lines all have the same cells, so each column is one block and its width one maximum; a
 * thousand-row `vm info` (44 columns) is laid out in a few milliseconds. Cells holding a tab or a
 * newline (they would split cells or lines), ragged lines and tab padding take the general path.
 */
export function tabwriteTable(lines: readonly (readonly string[])[], sep: string, opts: TabOptions = TABLE): string {
  const cols = lines[0]?.length ?? 0;
  const general = () => tabwrite(lines.map((l) => l.join(sep) + '\n').join(''), opts);
  if (cols === 0 || !sep.startsWith('\t') || sep.indexOf('\t', 1) >= 0 || sep.includes('\n') || opts.padchar !== ' ') return general();
  const prefix = sep.slice(1);
  const prefixRunes = runes(prefix);
  // Every cell's width in runes, the separator's text included: measured once, used twice.
  const textw = new Int32Array(lines.length * cols);
  const widths = new Array<number>(cols - 1).fill(opts.minwidth);
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i]!;
    if (cells.length !== cols) return general();
    for (let j = 0; j < cols; j++) {
      const c = cells[j]!;
      if (c.includes('\t') || c.includes('\n')) return general();
      const w = runes(c) + (j > 0 ? prefixRunes : 0);
      textw[i * cols + j] = w;
      if (j < cols - 1) widths[j] = Math.max(widths[j]!, w + opts.padding);
    }
  }
  // Each line joined from its cells and the runs of spaces + separator between them, cached by length:
  // several times faster than concatenating a thousand lines cell by cell.
  const gaps: string[] = [];
  const gap = (spaces: number) => (gaps[spaces] ??= ' '.repeat(spaces) + prefix);
  const out = new Array<string>(lines.length);
  const parts = new Array<string>(2 * cols - 1);
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i]!;
    for (let j = 0; j < cols - 1; j++) {
      parts[2 * j] = cells[j]!;
      parts[2 * j + 1] = gap(widths[j]! - textw[i * cols + j]!);
    }
    parts[2 * cols - 2] = cells[cols - 1]!;
    out[i] = parts.join('');
  }
  // The newline inside the last line: one join gives a flat string, which trim() slices without copying.
  out[lines.length - 1] += '\n';
  return out.join('\n');
}
