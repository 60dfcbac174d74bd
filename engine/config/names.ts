/**
 * minimega's name lists and launch names (minimega `ranges.SplitList` and `expandLaunchNames`).
 *
 * `foo,bar[1-3,5]` → foo bar1 bar2 bar3 bar5. Commas split only outside brackets; inside a bracket the
 * numbers are de-duplicated and sorted; `[01-03]` keeps its zero padding when every number in the bracket
 * shares one width. Errors use minimega's words.
 */

import { atoi } from './go-values.js';

function pad(n: number, width: number): string {
  return width > 0 ? String(n).padStart(width, '0') : String(n);
}

/** The largest count of names one bracket may expand to (minimega has no bound; we refuse absurd ones). */
const MAX_RANGE = 1_000_000;

/** `a-b` inside a bracket; keeps padding when both ends are written with the same width. */
function subrange(s: string): string[] {
  const limits = s.split('-');
  if (limits.length !== 2) throw new Error(`invalid subrange ${s}`);
  const width = limits[0]!.length === limits[1]!.length ? limits[0]!.length : 0;
  const start = atoi(limits[0]!);
  const end = atoi(limits[1]!);
  if (end - start >= MAX_RANGE) throw new Error(`invalid subrange ${s}: too many names`);
  const out: string[] = [];
  for (let i = start; i <= end; i++) out.push(pad(i, width));
  return out;
}

/** One `prefix[...]` item (minimega Range.SplitRange with Min 0, Max MaxInt32). */
function splitRange(prefix: string, s: string): string[] {
  let rest = s.slice(prefix.length);
  if (rest.startsWith('[') && !rest.endsWith(']')) throw new Error('invalid range specification');
  rest = rest.slice(1, -1);
  let width = -1;
  const seen = new Set<number>();
  const note = (text: string, n: number): void => {
    if (width === -1) width = text.length;
    else if (text.length !== width) width = 0;
    if (n < 0 || n > 2147483647) throw new Error(`value of out range: ${n}`);
    seen.add(n);
  };
  for (const part of rest.split(',')) {
    if (part.includes('-')) {
      for (const n of subrange(part)) note(n, atoi(n));
    } else {
      note(part, atoi(part));
    }
  }
  return [...seen].sort((a, b) => a - b).map((n) => prefix + pad(n, Math.max(width, 0)));
}

/** Expand a minimega list (`foo,bar[1-3]`). Throws minimega's errors for malformed input. */
export function expandList(input: string): string[] {
  const parts: string[] = [];
  let prev = 0;
  let inside = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch === '[') {
      if (inside) throw new Error(`nested '[' at char ${i}`);
      inside = true;
    } else if (ch === ']') {
      if (!inside) throw new Error(`unmatched ']' at char ${i}`);
      inside = false;
    } else if (ch === ',' && !inside) {
      parts.push(input.slice(prev, i));
      prev = i + 1;
    }
  }
  if (inside) throw new Error("unterminated '['");
  if (prev < input.length) parts.push(input.slice(prev));

  let total = 0;
  for (const v of parts) total += v.includes('[') ? bracketCount(v.slice(v.indexOf('[') + 1, -1)) : 1;
  if (total > MAX_NAMES) {
    throw new Error(`too many names in \`${input.length > 60 ? `${input.slice(0, 60)}…` : input}\`: ${total} (at most ${MAX_NAMES} in one command)`);
  }
  const out: string[] = [];
  for (const v of parts) {
    const index = v.indexOf('[');
    if (index === -1) out.push(v);
    else for (const name of splitRange(v.slice(0, index), v)) out.push(name);
  }
  return out;
}

/** Most names one list may expand to: counted before any is made, so a huge range costs nothing. */
export const MAX_NAMES = 100_000;

/** Upper bound of the names a bracket body (`1-3,7`) holds; malformed parts count 1 (they fail later). */
function bracketCount(body: string): number {
  let n = 0;
  for (const part of body.split(',')) {
    const m = /^([+-]?[0-9]+)-([+-]?[0-9]+)$/.exec(part);
    n += m ? Math.max(1, Number(m[2]) - Number(m[1]) + 1) : 1;
  }
  return n;
}

/** minimega's reserved target word. */
export const RESERVED_NAMES = ['all'] as const;

const NAME_RE = /^[A-Za-z0-9_.-]+$/;

/** Throw unless `name` may name a VM: allowed characters, not reserved, not an integer. */
export function validateName(name: string): void {
  if ((RESERVED_NAMES as readonly string[]).includes(name)) {
    throw new Error(`invalid vm name, \`${name}\` is a reserved word`);
  }
  if (/^[+-]?[0-9]+$/.test(name)) throw new Error(`invalid vm name, \`${name}\` is an integer`);
  if (!NAME_RE.test(name)) {
    throw new Error(`invalid name; must only include letters, numbers, hyphens and underscores: \`${name}\``);
  }
}

/** Most containers one `vm launch` may ask for. */
export const MAX_LAUNCH = 100_000;

/**
 * Names for `vm launch container <arg>`: an integer n gives n names `vm-<k>` drawn from `nextCounter`;
 * anything else is a list (see expandList) whose names are validated and must be distinct.
 */
export function launchNames(arg: string, nextCounter: () => number): string[] {
  if (/^[+-]?[0-9]+$/.test(arg)) {
    const n = Number(arg);
    if (n <= 0) throw new Error('invalid number of vms (must be > 0)');
    if (n > MAX_LAUNCH) throw new Error(`invalid number of vms (must be <= ${MAX_LAUNCH})`);
    const names: string[] = [];
    for (let i = 0; i < n; i++) names.push(`vm-${nextCounter()}`);
    return names;
  }
  const names = expandList(arg);
  if (names.length === 0) throw new Error('no VMs to launch');
  const seen = new Set<string>();
  for (const name of names) {
    validateName(name);
    if (seen.has(name)) throw new Error(`\`${name}\` is specified twice in VMs to launch`);
    seen.add(name);
  }
  return names;
}
