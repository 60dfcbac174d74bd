/** `vm stats <vm> [samples]`: the recent 1 Hz series of one container, as numbers. */
import type { CliCommand } from '../deps.js';
import { tableResponse } from '../response.js';
import { resolveTargets } from './targets.js';

export const VM_STATS_COLUMNS = ['time', 'memory', 'limit', 'cpu_usec', 'procs', 'oom'] as const;
const DEFAULT_SAMPLES = 10;

export const vmStats: CliCommand = {
  words: ['vm', 'stats'],
  usage: 'vm stats <vm> [samples|all]',
  help:
    'The newest samples (default 10; all keeps ≥ 10 minutes) of one container: time (epoch ms), memory and ' +
    'limit (bytes; limit 0 = none), cpu_usec (cumulative cpu time, µs), procs and oom (OOM kills).',
  async run(deps, args) {
    const n = args[1] === undefined ? DEFAULT_SAMPLES : args[1] === 'all' ? Infinity : Number(args[1]);
    if (args.length < 1 || args.length > 2 || !(n > 0)) throw new Error('usage: vm stats <vm> [samples|all]');
    const vms = resolveTargets(args[0]!, await deps.engine.call('vm.info'));
    if (vms.length !== 1) throw new Error('vm stats takes one vm');
    const series = await deps.engine.call('stats.series', vms[0]!.id);
    const rows = series
      .slice(Number.isFinite(n) ? -n : 0)
      .map((s) => [String(s.t), String(s.memoryBytes), String(s.memoryLimitBytes), String(s.cpuUsec), String(s.pids), String(s.oomKills)]);
    return tableResponse([...VM_STATS_COLUMNS], rows);
  },
};
