/** `vm top [duration]`: minimega's per-VM resource table, measured by the engine over the window. */
import { atoi } from '../../config/go-values.js';
import type { VmTopRow } from '../../api/types.js';
import type { Handler } from '../handler.js';
import { goDuration } from '../format.js';
import { tableResponse } from '../response.js';

/** minimega's columns, in its order. */
export const VM_TOP_COLUMNS = ['name', 'virt', 'res', 'shr', 'cpu', 'vcpu', 'time', 'procs', 'rx', 'tx'] as const;

/** minimega's fmtMB: whole MiB, rounded down. */
export function mb(bytes: number): string {
  return String(Math.floor(bytes / 2 ** 20));
}

/** One row as minimega prints it (percentages and rates with two decimals). */
export function topRow(r: VmTopRow): string[] {
  return [
    r.name,
    mb(r.virtBytes),
    mb(r.resBytes),
    mb(r.shrBytes),
    (r.cpu * 100).toFixed(2),
    (r.vcpu * 100).toFixed(2),
    goDuration(r.timeMs),
    String(r.procs),
    r.rxMBps.toFixed(2),
    r.txMBps.toFixed(2),
  ];
}

export const vmTop: Handler = {
  patterns: ['vm top [duration]'],
  help: 'view vm resource utilization',
  helpLong:
    'Resource use per container, measured from the host over DURATION seconds (default 1; the command waits ' +
    'that long): name, virt, res and shr (virtual, resident and shared memory of its processes, MB — at most ' +
    '100 processes are inspected, as minimega does), cpu (host cpu %), vcpu (guest cpu %, 0 for containers), ' +
    'time (total cpu time), procs, rx and tx (MB/s through its NICs). Memory limits and OOM kills are in `vm stats`.',
  async call(ctx, cmd) {
    const d = cmd.stringArgs.duration;
    const rows = await ctx.deps.engine.call('vm.top', (d === undefined ? 1 : atoi(d)) * 1000);
    return tableResponse([...VM_TOP_COLUMNS], rows.map(topRow));
  },
};
