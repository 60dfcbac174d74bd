/** Go-style value formatting shared by the verbs. */

/** Go's time.Duration.String() for a non-negative number of milliseconds. */
export function goDuration(ms: number): string {
  ms = Math.max(0, Math.floor(ms));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const rest = ms % 60_000;
  const s = Math.floor(rest / 1000);
  const frac = rest % 1000;
  const sec = frac === 0 ? `${s}` : `${s}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${sec}s`;
}

/** minimega's list cell: `[a, b]`. */
export function listCell(xs: readonly string[]): string {
  return `[${xs.join(', ')}]`;
}
