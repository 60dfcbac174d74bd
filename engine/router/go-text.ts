/**
 * The few Go library behaviours minimega's router code leans on, with Go's results and error texts:
 * net.ParseIP (16-byte form, for choosing a router ID), net.ParseCIDR validity, strconv.Atoi, and
 * strconv.Quote (the `%q` of OSPF options in the minirouter file).
 */
import { isIP } from 'node:net';

/** net.ParseIP: the 16-byte form (IPv4 as ::ffff:a.b.c.d), undefined when it is not an address. */
export function ipBytes(s: string): Uint8Array | undefined {
  const kind = isIP(s);
  if (kind === 4) return new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...s.split('.').map(Number)]);
  if (kind !== 6 || s.includes('%')) return undefined;
  // An IPv4 tail (::ffff:1.2.3.4) is the last two 16-bit words.
  const text = s.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((w) => w.toString(16)).join(':'),
  );
  const [head, rest] = text.split('::') as [string, string | undefined];
  const part = (t: string | undefined) => (t ? t.split(':').map((h) => parseInt(h, 16)) : []);
  const front = part(head);
  const back = part(rest);
  const fill = rest === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  const words = [...front, ...fill, ...back];
  if (words.length !== 8) return undefined;
  return new Uint8Array(words.flatMap((w) => [w >> 8, w & 0xff]));
}

/** bytes.Compare. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** net.ParseCIDR succeeds: an address without zone, `/`, decimal prefix length within the family's bits. */
export function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const kind = isIP(addr);
  if (kind === 0 || addr.includes('%') || !/^[0-9]+$/.test(bits)) return false;
  return Number(bits) <= (kind === 4 ? 32 : 128);
}

/** strconv.Atoi with its error text. */
export function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${quote(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${quote(s)}: value out of range`);
  return n;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** `v, _ := strconv.Atoi(s)` printed with %v: 0 for bad syntax, the int64 bound past it. */
export function atoiIgnoringError(s: string): string {
  if (!/^[+-]?[0-9]+$/.test(s)) return '0';
  const n = BigInt(s);
  return (n > INT64_MAX ? INT64_MAX : n < INT64_MIN ? INT64_MIN : n).toString();
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** strconv.Quote (Go's %q of a string). */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
