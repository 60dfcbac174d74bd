/**
 * Placement of queued VMs on hosts, with minimega's policy (its scheduler.go, behaviour only): every VM
 * goes to the least-loaded host by the namespace's measure (`ns load cpucommit|memcommit|netcommit`:
 * committed vcpus per cpu, committed memory per MB, NICs), counting what was placed so far; `vm config
 * schedule HOST` pins a VM; `coschedule N` lets at most N other VMs share its host (a host that reached
 * its limit is full and ranks last); `colocate VM` puts a VM with another (queued, or already running
 * somewhere). Pinned VMs are placed first, then the ones with the lowest coschedule limits, then those
 * that others follow, then larger groups. Pure: the cluster's leader runs it on hosts' reported loads.
 */
import type { ContainerConfig } from '../api/types.js';
import type { HostSort, Placement } from '../namespace/record.js';

export interface HostLoad {
  name: string;
  cpus: number;
  memoryMB: number;
  /** VMs on it now and their commitments. */
  vms: number;
  cpuCommit: number;
  memCommit: number;
  netCommit: number;
}

export interface QueuedGroup {
  names: string[];
  config: Pick<ContainerConfig, 'vcpus' | 'memory' | 'net'>;
  placement?: Placement;
}

/** host → names placed there, hosts in the order given. */
export type Assignment = Record<string, string[]>;

const NO_LIMIT = -1;

interface Slot extends HostLoad {
  /** Most VMs the host may have (the lowest coschedule limit + 1 of its VMs), or -1. */
  limit: number;
}

interface Group extends QueuedGroup {
  schedule: string;
  colocate: string;
  coschedule: number;
  /** VMs of the queue that follow one of this group's VMs. */
  followers: number;
}

function isFull(h: Slot): boolean {
  return h.limit !== NO_LIMIT && h.vms >= h.limit;
}

/** How loaded a host is by the namespace's measure (smaller is less loaded). */
function loadOf(h: Slot, by: HostSort): number {
  if (by === 'memcommit') return h.memCommit / Math.max(1, h.memoryMB);
  if (by === 'netcommit') return h.netCommit;
  return h.cpuCommit / Math.max(1, h.cpus);
}

/** True when `a` is less loaded than `b`: a host that is not full first, then the measure, then fewer VMs, then the name. */
function lessLoaded(a: Slot, b: Slot, by: HostSort): boolean {
  if (isFull(a) !== isFull(b)) return !isFull(a);
  const la = loadOf(a, by);
  const lb = loadOf(b, by);
  if (la !== lb) return la < lb;
  if (a.vms !== b.vms) return a.vms < b.vms;
  return a.name < b.name;
}

/** minimega's order of the queue: pinned, then lower coschedule limits, then more followers, then larger. */
function before(a: Group, b: Group): number {
  if (a.schedule !== b.schedule) {
    if (a.schedule === '' || b.schedule === '') return a.schedule !== '' ? -1 : 1;
    return a.schedule < b.schedule ? -1 : 1;
  }
  if (a.coschedule !== b.coschedule) {
    if (a.coschedule === NO_LIMIT || b.coschedule === NO_LIMIT) return a.coschedule !== NO_LIMIT ? -1 : 1;
    return a.coschedule - b.coschedule;
  }
  if (a.followers !== b.followers) return b.followers - a.followers;
  return b.names.length - a.names.length;
}

/**
 * Place `queue` on `hosts`. `running` maps VMs that already run to their host (for `colocate` with
 * them). Throws minimega's errors: no hosts, an unknown host, a coschedule limit that cannot hold, a
 * colocate VM that exists nowhere.
 */
export function place(queue: readonly QueuedGroup[], hosts: readonly HostLoad[], by: HostSort, running: ReadonlyMap<string, string> = new Map()): Assignment {
  if (hosts.length === 0) throw new Error('no hosts to schedule VMs on');
  const slots: Slot[] = hosts.map((h) => ({ ...h, limit: NO_LIMIT }));
  const out: Assignment = Object.fromEntries(hosts.map((h) => [h.name, [] as string[]]));
  if (hosts.length === 1) {
    out[hosts[0]!.name] = queue.flatMap((q) => q.names);
    return out;
  }
  const groups: Group[] = queue.map((q) => {
    const p = q.placement;
    const colocate = p?.colocate ?? '';
    // A VM that follows one already running is pinned to that VM's host.
    const schedule = p?.schedule || running.get(colocate) || '';
    return { ...q, schedule, colocate, coschedule: p?.coschedule ?? NO_LIMIT, followers: 0 };
  });
  const byName = (name: string) => slots.find((h) => h.name === name);
  const floating = new Map<string, Group[]>();
  for (const g of groups) {
    if (g.schedule && !byName(g.schedule)) throw new Error(`VM scheduled on unknown host: \`${g.schedule}\``);
    if (g.colocate && !g.schedule) floating.set(g.colocate, [...(floating.get(g.colocate) ?? []), g]);
  }
  for (const g of groups) g.followers = g.names.reduce((n, name) => n + (floating.get(name)?.length ?? 0), 0);
  const ordered = [...groups].sort(before);

  const add = (host: Slot, name: string, g: Group): void => {
    if (g.coschedule !== NO_LIMIT) {
      const limit = g.coschedule + 1;
      if (host.limit === NO_LIMIT || limit < host.limit) host.limit = limit;
    }
    host.vms += 1;
    host.cpuCommit += g.config.vcpus;
    host.memCommit += g.config.memory;
    host.netCommit += g.config.net.length;
    const followers = floating.get(name) ?? [];
    floating.delete(name);
    for (const f of followers) for (const n of f.names) add(host, n, f);
    if (host.limit !== NO_LIMIT && host.vms > host.limit) {
      throw new Error(`too many VMs scheduled on ${host.name} for coschedule requirement of ${host.limit}`);
    }
    out[host.name]!.push(name);
  };

  for (const g of ordered) {
    if (g.colocate && !g.schedule) continue; // placed with the VM it follows
    for (const name of g.names) {
      let host: Slot;
      if (g.schedule) host = byName(g.schedule)!;
      else host = slots.reduce((best, h) => (lessLoaded(h, best, by) ? h : best));
      add(host, name, g);
    }
  }
  if (floating.size) throw new Error(`nonexistent colocate VMs: [${[...floating.keys()].sort().join(', ')}]`);
  return out;
}
