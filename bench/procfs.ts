/** What the launch benches read from /proc: per-process memory, the shims, whether init runs. */
import { readdirSync, readFileSync } from 'node:fs';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Proportional set size: shared pages (the one static shim binary) divided among the processes mapping them. */
export function pssKiB(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Monitors and containers not yet exec'd (both are nanomega-shim until init runs). */
export function shimPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => comm(pid) === 'nanomega-shim');
}

/**
 * Resolves once every pid runs init (or is gone). Looks at the pids still pending, then sleeps nine
 * times the CPU that look took (at most 50 ms): the harness shares the two cores with what it
 * measures, so its own share stays near a tenth of one (a pass over a thousand /proc files every
 * millisecond took most of a core; one every 10 ms, still close to half of one). As fewer are
 * pending the passes get cheaper and closer together, so the last exec is seen within a millisecond
 * or so. CPU, not wall time: a pass that was merely descheduled must not stretch the sleep.
 */
export async function waitAllInit(pids: number[]): Promise<void> {
  let pending = pids;
  for (;;) {
    const before = process.cpuUsage();
    pending = pending.filter((p) => {
      const c = comm(p);
      return c !== undefined && c !== 'init';
    });
    if (pending.length === 0) return;
    const { user, system } = process.cpuUsage(before);
    const tookMs = (user + system) / 1000;
    await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, Math.round(tookMs * 9)))));
  }
}
