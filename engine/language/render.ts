/**
 * Rendering of a Response exactly like minicli (Responses.String): tables through tabwriter with " | "
 * separators and a header row, sorted rows, `.annotate`'s host column, CSV, JSON, and the `.filter` /
 * `.columns` table transforms.
 */
import { goJsonEscape, goJsonString } from '../config/go-values.js';
import type { HostResponse } from '../api/types.js';
import { type Flags, type Response, NOT_APPLICABLE } from './response.js';
import { tabwriteTable } from './tabwriter.js';

const INT_RE = /^[+-]?[0-9]+$/;

/** minicli's table order: cell by cell, numerically when both cells are integers. */
export function compareRows(a: string[], b: string[]): number {
  for (let k = 0; k < a.length && k < b.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x === y) continue;
    if (INT_RE.test(x) && INT_RE.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Go encoding/csv: quote a field holding a delimiter, quote, CR/LF, or a leading space. */
function csvField(f: string): string {
  if (f === '') return f;
  if (!/[",\r\n]/.test(f) && !f.startsWith(' ') && !f.startsWith('\t')) return f;
  return `"${f.replace(/"/g, '""')}"`;
}

function goJsonArray(xs: string[] | undefined): string {
  return xs ? `[${xs.map(goJsonString).join(',')}]` : 'null';
}

/** Go's json.Marshal of plain data. */
export function goMarshal(v: unknown): string {
  return v === undefined ? 'null' : goJsonEscape(JSON.stringify(v));
}

/** One host's response object of minicli's JSON mode. */
function jsonPart(host: string, text: string, header: string[] | undefined, rows: string[][] | undefined, errors: string[], data: unknown): string {
  const tab = rows ? `[${rows.map(goJsonArray).join(',')}]` : 'null';
  return (
    `{"Host":${goJsonString(host)},"Response":${goJsonString(text)},` +
    `"Header":${goJsonArray(header)},"Tabular":${tab},"Error":${goJsonString(errors.join('\n'))},"Data":${goMarshal(data)}}`
  );
}

/** minicli's JSON mode: the marshalled list of responses, one per host. */
function renderJson(r: Response, host: string): string {
  if (!r.parts) return `[${jsonPart(host, r.text ?? '', r.header, r.rows, r.errors, r.data)}]`;
  const parts = r.parts.map((p) => {
    const rows = r.rows && r.rowHosts ? r.rows.filter((_, i) => r.rowHosts![i] === p.host) : p.rows;
    return jsonPart(p.host, p.text ?? '', rows ? r.header : p.header, rows, p.errors, p.data);
  });
  return `[${parts.join(',')}]`;
}

/** Hosts as minimega's ranges.UnsplitList writes them: `h[1-3],other` (a shared prefix and numbers). */
export function unsplitHosts(hosts: readonly string[]): string {
  const byPrefix = new Map<string, { nums: number[]; width: number }>();
  const plain: string[] = [];
  for (const h of hosts) {
    const m = /^(.*?)([0-9]+)$/.exec(h);
    if (!m) {
      plain.push(h);
      continue;
    }
    const g = byPrefix.get(m[1]!) ?? { nums: [], width: m[2]!.length };
    g.nums.push(Number(m[2]));
    byPrefix.set(m[1]!, g);
  }
  const out = [...plain];
  for (const [prefix, g] of byPrefix) {
    if (g.nums.length === 1) {
      out.push(`${prefix}${String(g.nums[0]).padStart(g.width, '0')}`);
      continue;
    }
    const nums = [...new Set(g.nums)].sort((a, b) => a - b);
    const spans: string[] = [];
    for (let i = 0; i < nums.length;) {
      let j = i;
      while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
      spans.push(i === j ? String(nums[i]) : `${nums[i]}-${nums[j]}`);
      i = j + 1;
    }
    out.push(`${prefix}[${spans.join(',')}]`);
  }
  return out.sort().join(',');
}

/** Simple output of several hosts: `host: text` lines, identical answers folded under `.compress`. */
function renderParts(parts: readonly HostResponse[], flags: Flags): string {
  const answered = parts.filter((p) => p.errors.length === 0 && p.text);
  if (flags.compress && answered.length > 1) {
    const byText = new Map<string, string[]>();
    for (const p of answered) byText.set(p.text!, [...(byText.get(p.text!) ?? []), p.host]);
    const lines = [...byText].map(([text, hosts]) => ({ hosts: unsplitHosts(hosts), text }));
    lines.sort((a, b) => (a.hosts < b.hosts ? -1 : a.hosts > b.hosts ? 1 : 0));
    return lines
      .map((l) => (flags.annotate ? `${l.hosts}: ${l.text}` : l.text))
      .join('\n')
      .trim();
  }
  return answered
    .map((p) => (flags.annotate ? `${p.host}: ${p.text}` : p.text))
    .join('\n')
    .trim();
}

/**
 * Render a response with the given flags, as minicli's Responses.String: a table when there are rows,
 * else the simple text (prefixed with `host: ` under `.annotate`, and not shown when the response carries
 * an error). Errors are not part of the text; they are returned apart.
 */
export function render(r: Response, flags: Flags, host: string): string {
  if (flags.mode === 'json') return renderJson(r, host);
  if (r.header && r.rows && r.rows.length > 0) {
    let header = r.header;
    let rows = r.rows;
    if (flags.annotate) {
      header = ['host', ...header];
      rows = rows.map((row, i) => [r.rowHosts?.[i] ?? host, ...row]);
    }
    if (flags.sort) rows = [...rows].sort(compareRows);
    const lines = flags.headers ? [header, ...rows] : rows;
    if (flags.mode === 'csv')
      return lines
        .map((l) => l.map(csvField).join(','))
        .join('\n')
        .trim();
    return tabwriteTable(lines, '\t| ').trim();
  }
  if (r.parts) return renderParts(r.parts, flags);
  if (r.errors.length > 0 || !r.text) return '';
  return (flags.annotate ? `${host}: ${r.text}` : r.text).trim();
}

// ---------------------------------------------------------------------------------------------------
// Table transforms of the dot-commands.

export interface Filter {
  col: string;
  val: string;
  negate: boolean;
  fuzzy: boolean;
}

/** Parse `.filter` syntax: `col=val`, `col!=val`, `col~val`, `col!~val` (case-insensitive). */
export function parseFilter(s: string): Filter {
  const seps: [string, boolean, boolean][] = [
    ['!~', true, true],
    ['~', false, true],
    ['!=', true, false],
    ['=', false, false],
  ];
  for (const [sep, negate, fuzzy] of seps) {
    const parts = s.split(sep);
    if (parts.length === 2) {
      return { col: parts[0]!.toLowerCase(), val: parts[1]!.toLowerCase(), negate, fuzzy };
    }
  }
  throw new Error('invalid filter, see help');
}

/** minicli filter.Match: exact (case-insensitive), or substring for lists, maps and `~`. */
export function filterMatch(f: Filter, cell: string): boolean {
  const s = cell.toLowerCase();
  const fuzzy = f.fuzzy || (s.startsWith('[') && s.endsWith(']')) || (s.startsWith('{') && s.endsWith('}'));
  const match = s === f.val || (fuzzy && s.includes(f.val));
  return f.negate !== match;
}

/** Apply `.filter` to a response (non-tabular responses pass through; `host` keeps or drops it whole). */
export function applyFilter(r: Response, f: Filter, host: string): Response {
  if (f.col === 'host') {
    if (!r.parts) return filterMatch(f, host) ? r : { errors: [] };
    return keepRows(
      r,
      (_row, h) => filterMatch(f, h),
      (p) => filterMatch(f, p.host),
    );
  }
  if (!r.header || !r.rows) return r;
  const all = [...r.header, ...(r.hidden ?? [])];
  const col = resolveColumn(
    all.map((h) => h.toLowerCase()),
    f.col,
  );
  const idx = r.header.findIndex((h) => h.toLowerCase() === col);
  if (idx >= 0) return keepRows(r, (row) => filterMatch(f, row[idx]!));
  return filterMatch(f, NOT_APPLICABLE) ? r : keepRows(r, () => false);
}

/** The rows (and, merged from hosts, their hosts and the hosts' parts) that `keep` keeps. */
function keepRows(r: Response, keep: (row: string[], host: string) => boolean, keepPart?: (p: HostResponse) => boolean): Response {
  const rows = r.rows ?? [];
  const idx = rows.map((row, i) => i).filter((i) => keep(rows[i]!, r.rowHosts?.[i] ?? ''));
  const out: Response = { ...r, ...(r.rows ? { rows: idx.map((i) => rows[i]!) } : {}) };
  if (r.rowHosts) out.rowHosts = idx.map((i) => r.rowHosts![i]!);
  if (r.parts && keepPart) out.parts = r.parts.filter(keepPart);
  return out;
}

/** minicli findColumn: an exact column wins, else a unique prefix. */
function resolveColumn(all: string[], col: string): string {
  if (all.includes(col)) return col;
  const matches = all.filter((h) => h.startsWith(col));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new Error(`ambiguous column \`${col}\``);
  throw new Error(`no such column \`${col}\``);
}

/** Apply `.columns a,b,…` to a response (non-tabular responses pass through). */
export function applyColumns(r: Response, spec: string): Response {
  if (!r.header) return r;
  const wanted = spec.split(',');
  const all = [...r.header, ...(r.hidden ?? [])];
  const cols = wanted.map((c) => resolveColumn(all, c));
  const rows = (r.rows ?? []).map((row) =>
    cols.map((c) => {
      const i = r.header!.indexOf(c);
      return i >= 0 ? row[i]! : NOT_APPLICABLE;
    }),
  );
  const { hidden: _hidden, ...rest } = r;
  return { ...rest, header: cols, rows };
}
