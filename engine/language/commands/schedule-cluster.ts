/**
 * The scheduler's cluster side of `vm launch` and `ns schedule`: when a namespace spans hosts of a
 * cluster, the queued VMs are named here (unique across the namespace: minimega names them on the
 * scheduling host too) and handed to the cluster's elected scheduler, which places them
 * (least-loaded, `schedule`, `coschedule`, `colocate`) and has each host launch its share.
 */
import type { ContainerConfig } from '../../api/types.js';
import type { Namespace } from '../../namespace/namespaces.js';
import type { PlacementGroup, ScheduleOutcome, ScheduleRequest } from '../cluster-port.js';
import type { CallContext, QueuedLaunch } from '../handler.js';

/** Placements made by `ns schedule dry-run` (and changed by `ns schedule mv`) in a cluster. */
const assignments = new WeakMap<Namespace, Record<string, string[]>>();

/** True when the namespace's VMs are placed over several hosts of a cluster. */
export function spansCluster(ctx: CallContext): boolean {
  const c = ctx.deps.cluster;
  return !!c && ctx.ns.record.hosts.some((h) => h !== c.self);
}

/** Names for the unnamed VMs of the queue from the namespace's counter, skipping names taken anywhere. */
async function nameQueue(ctx: CallContext, queue: readonly QueuedLaunch[]): Promise<PlacementGroup[]> {
  const taken = new Set((await ctx.deps.cluster!.vms(ctx.ns.name)).map((v) => v.name));
  for (const q of queue) for (const n of q.names) if (n) taken.add(n);
  const next = (): string => {
    let name: string;
    do name = `vm-${ctx.ns.launchCounter++}`;
    while (taken.has(name));
    taken.add(name);
    return name;
  };
  return queue.map((q) => ({
    names: q.names.map((n) => n || next()),
    config: q.config as ContainerConfig,
    ...(q.placement ? { placement: q.placement } : {}),
  }));
}

async function request(ctx: CallContext, groups: PlacementGroup[]): Promise<ScheduleRequest> {
  return {
    namespace: ctx.ns.name,
    groups,
    hosts: [...ctx.ns.record.hosts],
    sortBy: ctx.ns.record.hostSortBy,
    vlans: await ctx.deps.engine.call('net.vlans'),
  };
}

/** `ns schedule dry-run` in a cluster: the placement, kept for `ns schedule mv` and the next launch. */
export async function clusterDryRun(ctx: CallContext): Promise<[string, string][]> {
  const groups = await nameQueue(ctx, ctx.ns.queue);
  // The names are fixed now, so the placement and the launch agree on them.
  ctx.ns.queue = groups.map((g) => ({ ...g }));
  const placed = await ctx.deps.cluster!.plan(await request(ctx, groups));
  assignments.set(ctx.ns, placed);
  return assignmentRows(placed);
}

export function clusterAssignment(ctx: CallContext): Record<string, string[]> | undefined {
  return assignments.get(ctx.ns);
}

export function assignmentRows(placed: Record<string, string[]>): [string, string][] {
  return Object.entries(placed).flatMap(([host, names]) => names.map((n): [string, string] => [n, host]));
}

/** `ns schedule mv VMS HOST` after a dry-run in a cluster. */
export function clusterMove(ctx: CallContext, names: string[], dst: string): void {
  const placed = assignments.get(ctx.ns)!;
  for (const v of names) {
    const from = Object.keys(placed).find((h) => placed[h]!.includes(v));
    if (from === undefined) throw new Error(`reassign ${v}: vm not found`);
    placed[from] = placed[from]!.filter((n) => n !== v);
    placed[dst] = [...(placed[dst] ?? []), v];
  }
}

/** Launch the queue over the cluster (a dry-run's placement when there is one). */
export async function clusterSchedule(ctx: CallContext, queue: readonly QueuedLaunch[]): Promise<ScheduleOutcome> {
  const fixed = assignments.get(ctx.ns);
  assignments.delete(ctx.ns);
  const groups = await nameQueue(ctx, queue);
  const req = await request(ctx, groups);
  if (fixed) req.assignment = fixed;
  return ctx.deps.cluster!.schedule(req);
}

/** The queue changed: a dry-run's placement no longer holds (minimega invalidates its assignment). */
export function forgetAssignment(ctx: CallContext): void {
  assignments.delete(ctx.ns);
}
