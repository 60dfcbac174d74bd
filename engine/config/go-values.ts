/**
 * Values parsed and printed the way minimega's Go code does: strconv's errors, json.Marshal of maps.
 */

const UINT_RE = /^[0-9]+$/;

/** Go's strconv.ParseUint(s, 10, 64) with its exact error texts. */
export function parseUint(s: string): number {
  if (!UINT_RE.test(s)) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const big = BigInt(s);
  if (big > 18446744073709551615n) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return Number(big);
}

/** Go's strconv.Atoi with its error texts (an int beyond what a number holds exactly is out of range here). */
export function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  return n;
}

/** Go's strconv.ParseBool. */
export function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`strconv.ParseBool: parsing ${goQuote(s)}: invalid syntax`);
}

/** Go's %q for the plain strings we quote in errors. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's json.Marshal of a map[string]string: sorted keys, <, > and & escaped. */
export function marshalMap(m: Record<string, string>): string {
  const keys = Object.keys(m).sort();
  const body = keys.map((k) => `${goJsonString(k)}:${goJsonString(m[k]!)}`).join(',');
  return `{${body}}`;
}

export function goJsonString(s: string): string {
  return goJsonEscape(JSON.stringify(s));
}

/** JSON text as Go's encoder writes it: `<`, `>`, `&` and the JS line separators escaped (only strings hold them). */
export function goJsonEscape(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
