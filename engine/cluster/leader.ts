/**
 * The cluster's scheduler: every daemon campaigns in one etcd election (a lease-based one: the leader's
 * key goes with its session); the elected one takes the launch requests (requests/ID), places their
 * VMs over the live hosts of the namespace with scheduler.ts on the loads the hosts report, and writes
 * the plan and each host's placement order in one transaction that also deletes the request — so a
 * request is placed exactly once, even when leadership changes half-way.
 */
import type { ClusterHost } from '../api/types.js';
import { logError } from '../log.js';
import { keys, lastPart, parseJson, type LaunchRequest, type Plan, type PlacementOrder, type StatusReport } from './keys.js';
import { type Assignment, place } from './scheduler.js';
import type { Campaign, ClusterStore, StoreEvent, TxnOp } from './store.js';
import { SCHEDULER_ELECTION } from './keys.js';

export interface LeaderView {
  /** Every host, up or down. */
  hosts(): Promise<ClusterHost[]>;
}

export class SchedulerLeader {
  private campaign?: Campaign;
  private unwatch?: () => Promise<void>;
  private chain: Promise<void> = Promise.resolve();
  private leading = false;

  constructor(
    private readonly store: ClusterStore,
    private readonly self: string,
    private readonly view: LeaderView,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.campaign = this.store.campaign(SCHEDULER_ELECTION, this.self, {
      elected: () => {
        this.log(`cluster: ${this.self} is the scheduler`);
        this.leading = true;
        void this.lead().catch((e: unknown) => logError('cluster: scheduler', e));
      },
      lost: (why) => {
        if (this.leading) this.log(`cluster: ${this.self} is no longer the scheduler (${why})`);
        this.leading = false;
        this.unwatch?.().catch(() => undefined); // Best-effort: the watch ends with the connection anyway.
        this.unwatch = undefined;
      },
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private async lead(): Promise<void> {
    const seen = new Set<string>();
    const take = (key: string, value: string) => {
      if (seen.has(key) || !this.leading) return;
      seen.add(key);
      this.chain = this.chain.then(() => this.handle(key, value).catch((e: unknown) => logError(`cluster: scheduling ${lastPart(key)}`, e)));
    };
    this.unwatch = await this.store.watch(keys.requests, (e: StoreEvent) => {
      if (e.type === 'put') take(e.key, e.value);
      else seen.delete(e.key);
    });
    for (const kv of await this.store.list(keys.requests)) take(kv.key, kv.value);
  }

  /** Place one request: plan + orders + request deleted, all or nothing. */
  private async handle(key: string, value: string): Promise<void> {
    const req = parseJson<LaunchRequest>(value);
    if (!req) {
      await this.store.delete(key);
      return;
    }
    let plan: Plan;
    try {
      plan = { placed: req.assignment ?? (await this.placement(req)) };
    } catch (e) {
      plan = { error: (e as Error).message };
    }
    const ops: TxnOp[] = [
      { op: 'put', key: keys.plan(req.id), value: JSON.stringify(plan) },
      { op: 'delete', key },
    ];
    for (const [host, names] of Object.entries(plan.placed ?? {})) {
      if (names.length === 0) continue;
      const wanted = new Set(names);
      const groups = req.groups.map((g) => ({ ...g, names: g.names.filter((n) => wanted.has(n)) })).filter((g) => g.names.length > 0);
      const order: PlacementOrder = { id: req.id, namespace: req.namespace, groups, vlans: req.vlans };
      ops.push({ op: 'put', key: keys.placement(host, req.id), value: JSON.stringify(order) });
    }
    await this.store.txn(ops, key);
  }

  /** Where the request's VMs go, on the hosts of its namespace that are up. */
  async placement(req: Pick<LaunchRequest, 'namespace' | 'groups' | 'hosts' | 'sortBy'>): Promise<Assignment> {
    const all = await this.view.hosts();
    const up = all.filter((h) => h.up && req.hosts.includes(h.name));
    if (up.length === 0) throw new Error(`no host of the namespace is up (hosts: ${req.hosts.join(', ')})`);
    const running = new Map<string, string>();
    for (const h of all) {
      const report = parseJson<StatusReport>(await this.store.get(keys.status(h.name)));
      for (const v of report?.vms ?? []) if (v.namespace === req.namespace) running.set(v.name, h.name);
    }
    const loads = up.map((h) => ({
      name: h.name,
      cpus: h.cpus,
      memoryMB: h.memoryMB,
      vms: h.containers,
      cpuCommit: h.cpuCommit,
      memCommit: h.memCommit,
      netCommit: h.netCommit,
    }));
    const placed = place(req.groups, loads, req.sortBy, running);
    for (const h of Object.keys(placed)) if (placed[h]!.length === 0) delete placed[h];
    return placed;
  }

  async stop(): Promise<void> {
    this.leading = false;
    await this.unwatch?.().catch(() => undefined);
    await this.campaign?.resign();
    await this.chain;
  }
}
