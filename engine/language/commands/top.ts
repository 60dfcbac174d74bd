/** `vm top [duration]`: minimega's per-VM resource table, from the engine's 1 Hz samples. */
import type { StatsSample } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { goDuration } from '../format.js';
import { tableResponse } from '../response.js';

/** Columns we measure for a container, in minimega's order (res = cgroup memory usage). */
export const VM_TOP_COLUMNS = ['name', 'res', 'limit', 'cpu', 'time', 'procs', 'oom'] as const;
/** minimega columns a container cannot fill here (KVM-only, or per-process figures); `.columns` shows N/A. */
export const VM_TOP_HIDDEN = ['virt', 'shr', 'vcpu', 'rx', 'tx'] as const;

/** minimega's fmtMB: whole MiB, rounded down. */
export function mb(bytes: number): string {
  return String(Math.floor(bytes / 2 ** 20));
}

/** Host cpu % used over the last `windowMs` of a series (oldest first); 0 with fewer than two samples. */
export function cpuPercent(series: readonly StatsSample[], windowMs: number): number {
  const last = series[series.length - 1];
  if (!last) return 0;
  let first = last;
  for (let k = series.length - 2; k >= 0; k--) {
    first = series[k]!;
    if (last.t - first.t >= windowMs) break;
  }
  const dt = last.t - first.t;
  return dt > 0 ? Math.max(0, ((last.cpuUsec - first.cpuUsec) / 1000 / dt) * 100) : 0;
}

/** One row of `vm top`. */
export function topRow(name: string, series: readonly StatsSample[], windowMs: number): string[] {
  const s = series[series.length - 1]!;
  return [
    name,
    mb(s.memoryBytes),
    s.memoryLimitBytes > 0 ? mb(s.memoryLimitBytes) : 'max',
    cpuPercent(series, windowMs).toFixed(2),
    goDuration(s.cpuUsec / 1000),
    String(s.pids),
    String(s.oomKills),
  ];
}

export const vmTop: Handler = {
  patterns: ['vm top [duration]'],
  help: 'view vm resource utilization',
  helpLong:
    "Resource use per running container, from the engine's 1 Hz cgroup samples: res (memory used, MB), " +
    'limit (memory limit, MB), cpu (host cpu % over the last duration seconds, default 1), time (total cpu time), ' +
    'procs (processes) and oom (OOM kills).',
  async call(ctx, cmd) {
    const d = cmd.stringArgs.duration;
    if (d !== undefined && !/^[1-9][0-9]*$/.test(d)) throw new Error(`invalid duration \`${d}\`: want whole seconds`);
    const windowMs = Number(d ?? 1) * 1000;
    const vms = (await ctx.deps.engine.call('vm.info')).filter((c) => c.state === 'RUNNING' || c.state === 'PAUSED' || c.state === 'BUILDING');
    const rows: string[][] = [];
    for (const vm of vms) {
      const series = await ctx.deps.engine.call('stats.series', vm.id);
      if (series.length) rows.push(topRow(vm.name, series, windowMs));
    }
    return tableResponse([...VM_TOP_COLUMNS], rows, [...VM_TOP_HIDDEN]);
  },
};
