import { readFileSync } from 'node:fs';
import { statZombie } from '../../engine/host/proc-stat.js';

/** How often a condition is polled: short enough that tests do not wait for nothing. */
const POLL_MS = 20;

/**
 * Wait until `fn` returns something other than undefined/false and return it; fail after `timeoutMs`
 * saying what was awaited. Tests wait on conditions this way, never on a fixed sleep.
 */
export async function until<T>(
  what: string | (() => string),
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  if (pid <= 0) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return !statZombie(stat);
}

/** Wait until `pid` is gone (or a zombie nobody reaped yet). */
export function gone(pid: number, timeoutMs = 10_000): Promise<true> {
  return until(`pid ${pid} to exit`, () => !alive(pid), timeoutMs);
}
