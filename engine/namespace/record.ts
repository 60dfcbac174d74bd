/**
 * A namespace's durable record: plain data, serialisable as JSON, so a store can keep it in a file today
 * and in etcd when namespaces span hosts (issue 16). Everything the namespace owns that must outlive the
 * daemon is here or keyed by its name elsewhere (containers carry `namespace`, VLAN aliases and cc state
 * are keyed by it).
 */
import type { ContainerConfig } from '../api/types.js';
import type { ConfigStoreJSON } from '../config/config-store.js';
import { namespaceNameProblem } from './names.js';

/** How `ns schedule` ranks hosts (minimega's hostSortByFns). One host: kept and printed only. */
export const HOST_SORTS = ['cpucommit', 'netcommit', 'memcommit'] as const;
export type HostSort = (typeof HOST_SORTS)[number];

/** VMs queued by `vm launch container …` under `ns queueing true`; unnamed ones (a count) are ''. */
export interface QueuedLaunch {
  names: string[];
  config: ContainerConfig;
  /** `vm config schedule|colocate|coschedule` when queued (absent: none; used by a cluster's scheduler). */
  placement?: Placement;
}

/** Where the scheduler may put a VM (minimega's Schedule, Colocate and Coschedule; -1: no limit). */
export interface Placement {
  schedule: string;
  colocate: string;
  coschedule: number;
}

/** One run of the scheduler (`ns schedule status`). */
export interface ScheduleStat {
  start: number;
  /** 0 while running. */
  end: number;
  state: 'running' | 'completed';
  launched: number;
  failures: number;
  total: number;
  hosts: number;
}

export interface NamespaceRecord {
  name: string;
  /** Hosts the namespace's VMs are scheduled on (`ns hosts`): this host until namespaces span hosts. */
  hosts: string[];
  /** `ns queueing`: `vm launch container …` only queues until `vm launch`. */
  queueing: boolean;
  /** Next n of `vm launch container N` names (vm-<n>); only unnamed launches advance it. */
  launchCounter: number;
  hostSortBy: HostSort;
  /** Bridges `ns bridge` associated with the namespace and their tunnel keys. */
  bridges: Record<string, number>;
  /** The launch queue. */
  queue: QueuedLaunch[];
  /** The namespace's `vm config`, its saved configs (absent: defaults). */
  vmConfig?: ConfigStoreJSON;
  createdAt: number;
}

/** Runs of the scheduler `ns schedule status` remembers. */
export const SCHEDULE_STATS_MAX = 100;

export function newRecord(name: string, hosts: string[], now = Date.now()): NamespaceRecord {
  return { name, hosts: [...hosts], queueing: false, launchCounter: 0, hostSortBy: 'cpucommit', bridges: {}, queue: [], createdAt: now };
}

/** `v` as a record (defaults for fields older records lack), or why it is none. */
export function parseRecord(v: unknown): NamespaceRecord | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a namespace record';
  const r = v as Partial<NamespaceRecord>;
  const why = namespaceNameProblem(r.name);
  if (why) return why;
  const base = newRecord(r.name!, [], 0);
  const strs = (a: unknown): a is string[] => Array.isArray(a) && a.every((x) => typeof x === 'string');
  return {
    ...base,
    hosts: strs(r.hosts) ? [...r.hosts] : base.hosts,
    queueing: r.queueing === true,
    launchCounter: Number.isSafeInteger(r.launchCounter) && r.launchCounter! >= 0 ? r.launchCounter! : 0,
    hostSortBy: HOST_SORTS.includes(r.hostSortBy as HostSort) ? r.hostSortBy! : base.hostSortBy,
    bridges: typeof r.bridges === 'object' && r.bridges !== null ? { ...r.bridges } : {},
    queue: Array.isArray(r.queue) ? r.queue.filter((q) => q && strs(q.names) && typeof q.config === 'object') : [],
    ...(r.vmConfig ? { vmConfig: r.vmConfig } : {}),
    createdAt: Number.isSafeInteger(r.createdAt) ? r.createdAt! : 0,
  };
}
