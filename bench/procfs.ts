/** What the launch benches read from /proc: per-process memory and CPU, the machine's CPU, the shims, whether init runs. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { statFields } from '../engine/host/proc-stat.js';
import { parseCpuStat } from '../engine/stats/host-stats.js';

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

/** /proc counts CPU time in clock ticks of USER_HZ (100 on most builds, but read it). */
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/**
 * The machine's CPU time so far, all cores together, in ms: work (everything but idle, iowait and
 * steal) and steal (time a hypervisor gave this guest's runnable cpus to something else). A guest
 * on a shared host can lose a large share of its cores to steal; it lengthens every wall time of a
 * round, the references' too, but is not work done here.
 */
export function machineCpuMs(): { workMs: number; stealMs: number } {
  const { busy, steal } = parseCpuStat(readFileSync('/proc/stat', 'utf8'));
  return { workMs: (busy - steal) * TICK_MS, stealMs: steal * TICK_MS };
}

/** One process's CPU time so far, user and system, all its threads (fields 14 and 15 of /proc/PID/stat), in ms. */
export function processCpuMs(pid: number): number {
  const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
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
