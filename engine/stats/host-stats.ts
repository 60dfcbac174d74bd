/** Host-wide figures from procfs: /proc/meminfo, /proc/loadavg, /proc/stat. */
import type { HostStats, VmState } from '../api/types.js';
import type { Host } from '../host/host.js';

const MEMINFO = '/proc/meminfo';
const LOADAVG = '/proc/loadavg';
const STAT = '/proc/stat';

/** Total and used bytes; "used" is total − MemAvailable (Linux 3.14), as free(1) computes it. */
export function parseMeminfo(text: string): { totalBytes: number; usedBytes: number } {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  const total = kb('MemTotal');
  let available = kb('MemAvailable');
  if (Number.isNaN(available)) available = kb('MemFree') + (kb('Buffers') || 0) + (kb('Cached') || 0);
  return { totalBytes: total || 0, usedBytes: Math.max(0, (total || 0) - (available || 0)) };
}

/** The 1-minute load average. */
export function parseLoadavg(text: string): number {
  return Number(text.split(' ')[0]) || 0;
}

/**
 * Aggregate cpu jiffies: busy (everything but idle and iowait) and total, plus the number of cpus.
 * steal is the part of busy when this guest's cpus had work but its hypervisor ran something else: no
 * process's time includes it, so a measurement of the guest's own work leaves it out.
 */
export function parseCpuStat(text: string): { busy: number; total: number; steal: number; cpus: number } {
  let busy = 0;
  let total = 0;
  let steal = 0;
  let cpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      // user nice system idle iowait irq softirq steal [guest guest_nice — already counted in user/nice]
      const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
      total = f.reduce((a, b) => a + (b || 0), 0);
      busy = total - (f[3] || 0) - (f[4] || 0);
      steal = f[7] || 0;
    } else if (/^cpu\d/.test(line)) cpus++;
  }
  return { busy, total, steal, cpus };
}

/** Reads host figures; the cpu busy fraction is over the interval since the previous read. */
export class HostSampler {
  private prev: { busy: number; total: number } | undefined;

  constructor(private readonly host: Host) {}

  async read(t: number, states: Record<VmState, number>): Promise<HostStats> {
    const [mem, load, stat] = await Promise.all([
      this.host.readFile(MEMINFO).then(parseMeminfo),
      this.host.readFile(LOADAVG).then(parseLoadavg),
      this.host.readFile(STAT).then(parseCpuStat),
    ]);
    const prev = this.prev;
    this.prev = stat;
    const dTotal = prev ? stat.total - prev.total : 0;
    const cpuBusy = dTotal > 0 ? Math.min(1, Math.max(0, (stat.busy - prev!.busy) / dTotal)) : 0;
    return { t, memoryTotalBytes: mem.totalBytes, memoryUsedBytes: mem.usedBytes, load1: load, cpus: stat.cpus, cpuBusy, states };
  }
}
