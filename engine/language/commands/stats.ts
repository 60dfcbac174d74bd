/** `vm stats <vm> [samples]`: the recent 1 Hz series of one container, as numbers. */
import type { Handler } from '../handler.js';
import { tableResponse } from '../response.js';
import { resolveTargets } from './targets.js';

export const VM_STATS_COLUMNS = ['time', 'memory', 'limit', 'cpu_usec', 'procs', 'oom'] as const;
const DEFAULT_SAMPLES = 10;

export const vmStats: Handler = {
  patterns: ['vm stats <vm> [samples]'],
  help: 'recent resource samples of one container',
  helpLong:
    'The newest samples (default 10; `all` keeps ≥ 10 minutes) of one container: time (epoch ms), memory and ' +
    'limit (bytes; limit 0 = none), cpu_usec (cumulative cpu time, µs), procs and oom (OOM kills).',
  async call(ctx, cmd) {
    const arg = cmd.stringArgs.samples;
    const n = arg === undefined ? DEFAULT_SAMPLES : arg === 'all' ? Infinity : Number(arg);
    if (!(n > 0) || (Number.isFinite(n) && !Number.isInteger(n))) throw new Error(`invalid samples \`${arg}\`: want a count or all`);
    const vms = resolveTargets(cmd.stringArgs.vm!, await ctx.deps.engine.call('vm.info'));
    if (vms.length !== 1) throw new Error('vm stats takes one vm');
    const series = await ctx.deps.engine.call('stats.series', vms[0]!.id);
    const rows = series
      .slice(Number.isFinite(n) ? -n : 0)
      .map((s) => [String(s.t), String(s.memoryBytes), String(s.memoryLimitBytes), String(s.cpuUsec), String(s.pids), String(s.oomKills)]);
    return tableResponse([...VM_STATS_COLUMNS], rows);
  },
};
