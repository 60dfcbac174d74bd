/**
 * minimega's `minitest` transcript format. For each line of a script: `## <line>` (an empty line stays
 * empty), then the command's errors as `E: <msg>` (sorted), then its output. A comment line is echoed and
 * produces nothing.
 */
import type { CommandResult } from '../api/types.js';

export async function runTranscript(script: string, exec: (line: string) => Promise<CommandResult>): Promise<string> {
  const lines = script.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let out = '';
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    out += line.length > 0 ? `## ${line}\n` : '\n';
    if (line.trim() === '') continue;
    let result: CommandResult;
    try {
      result = await exec(line);
    } catch (e) {
      result = { output: '', errors: [e instanceof Error ? e.message : String(e)] };
    }
    // minitest prints each step of a command (a `read` script's lines) as it arrives.
    for (const part of result.chunks ?? [result]) {
      for (const err of [...part.errors].sort()) out += `E: ${err}\n`;
      if (part.output.length > 0) out += `${part.output}\n`;
    }
  }
  return out;
}

/** Longest common subsequence table, bounded so a huge mismatch cannot eat the machine. */
const MAX_DIFF_CELLS = 4_000_000;

/** '' when equal; otherwise a unified-style diff (`-` want, `+` got, two lines of context). */
export function compareTranscript(got: string, want: string): string {
  if (got === want) return '';
  const a = want.split('\n');
  const b = got.split('\n');
  if (a.length * b.length > MAX_DIFF_CELLS) {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return `@@ line ${i + 1} @@\n-${a[i] ?? ''}\n+${b[i] ?? ''}\n`;
  }
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: { op: ' ' | '-' | '+'; text: string; line: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ op: ' ', text: a[i]!, line: i + 1 });
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ op: '+', text: b[j]!, line: i + 1 });
      j++;
    } else {
      ops.push({ op: '-', text: a[i]!, line: i + 1 });
      i++;
    }
  }
  const CONTEXT = 2;
  const keep = ops.map(() => false);
  ops.forEach((o, k) => {
    if (o.op !== ' ') for (let d = -CONTEXT; d <= CONTEXT; d++) if (ops[k + d]) keep[k + d] = true;
  });
  let out = '';
  let inHunk = false;
  ops.forEach((o, k) => {
    if (!keep[k]) {
      inHunk = false;
      return;
    }
    if (!inHunk) {
      out += `@@ want line ${o.line} @@\n`;
      inHunk = true;
    }
    out += `${o.op}${o.text}\n`;
  });
  return out;
}
