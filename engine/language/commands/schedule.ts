/**
 * The launch queue and its scheduler (minimega's Namespace.Queue and Schedule): `vm launch container …`
 * queues, and unless `ns queueing` is on, schedules at once; `vm launch` and `ns schedule` schedule what
 * is queued. On one host every queued VM launches here; each run is kept for `ns schedule status`.
 */
import type { ContainerConfig } from '../../api/types.js';
import { SCHEDULE_STATS_MAX, type Placement, type ScheduleStat } from '../../namespace/record.js';
import type { CallContext, QueuedLaunch } from '../handler.js';
import { type Response, errorResponse } from '../response.js';
import { clusterSchedule, forgetAssignment, spansCluster } from './schedule-cluster.js';

/** Check names and UUID against existing and queued VMs of the namespace (minimega Namespace.Queue), then queue. */
export async function enqueue(ctx: CallContext, names: string[], config: ContainerConfig, placement?: Placement): Promise<void> {
  if (names.length > 1 && config.uuid !== '') throw new Error('cannot launch multiple VMs with a pre-configured UUID');
  // In a cluster the names and UUIDs of every host of the namespace are taken.
  const vms = ctx.deps.cluster ? await ctx.deps.cluster.vms(ctx.ns.name) : await ctx.deps.engine.call('vm.info');
  for (const name of names) if (name && vms.some((v) => v.name === name)) throw new Error(`vm already exists with name \`${name}\``);
  if (config.uuid && vms.some((v) => v.uuid === config.uuid)) throw new Error(`vm already exists with UUID \`${config.uuid}\``);
  const queued = ctx.ns.queue;
  for (const name of names) if (name && queued.some((q) => q.names.includes(name))) throw new Error(`vm already queued with name \`${name}\``);
  if (config.uuid && queued.some((q) => q.config.uuid === config.uuid)) throw new Error(`vm already queued with UUID \`${config.uuid}\``);
  ctx.ns.queue = [...queued, { names, config, ...(placement ? { placement } : {}) }];
  ctx.ns.assignment = undefined;
  forgetAssignment(ctx);
}

/** Launch everything queued: unnamed VMs (a count) get `vm-<n>` from the namespace's counter in the engine. */
async function launchQueue(ctx: CallContext, queue: QueuedLaunch[]): Promise<string[]> {
  if (spansCluster(ctx)) return (await clusterSchedule(ctx, queue)).errors;
  const errors: string[] = [];
  for (const q of queue) {
    const arg = q.names.every((n) => n === '') ? String(q.names.length) : q.names.join(',');
    for (const r of await ctx.deps.engine.call('vm.launch', arg, q.config)) if (r.error) errors.push(r.error);
  }
  return errors;
}

/** Run the scheduler over the namespace's queue. */
export async function schedule(ctx: CallContext): Promise<Response> {
  if (ctx.ns.record.hosts.length === 0) throw new Error('namespace must contain at least one host to launch VMs');
  const queue = ctx.ns.queue;
  if (queue.length === 0) throw new Error('namespace must contain at least one queued VM to launch VMs');
  ctx.ns.queue = [];
  ctx.ns.assignment = undefined;
  const total = queue.reduce((n, q) => n + q.names.length, 0);
  const stat: ScheduleStat = { start: Date.now(), end: 0, state: 'running', launched: 0, failures: 0, total, hosts: ctx.ns.record.hosts.length };
  ctx.ns.schedules = [...ctx.ns.schedules, stat].slice(-SCHEDULE_STATS_MAX);
  let errors: string[];
  try {
    errors = await launchQueue(ctx, queue);
  } catch (e) {
    errors = [e instanceof Error ? e.message : String(e)];
  }
  stat.end = Date.now();
  stat.state = 'completed';
  stat.failures = errors.length;
  stat.launched = Math.max(0, total - errors.length);
  return errorResponse(...errors);
}
