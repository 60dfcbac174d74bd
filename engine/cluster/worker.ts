/**
 * This host's share of the cluster's launches: it watches placements/HOST/ (the desired state the
 * scheduler writes), launches each order's VMs (left BUILDING, as every launch), and answers with a
 * result while deleting the order in one transaction. Orders are taken one at a time, in key order,
 * including those written while the daemon was down. A VM whose name already exists here is not
 * launched again: after a crash between launching and answering, the retried order launches only
 * what is missing, so no host ever starts a container twice.
 */
import type { ContainerConfig, VmResult } from '../api/types.js';
import { logError } from '../log.js';
import { keys, lastPart, parseJson, type LaunchResult, type PlacementOrder } from './keys.js';
import type { ClusterStore, StoreEvent } from './store.js';

export interface WorkerEngine {
  /** Names of the namespace's containers on this host. */
  names(namespace: string): Promise<Set<string>>;
  vlans(namespace: string): Promise<{ alias: string; vlan: number }[]>;
  addVlan(alias: string, vlan: number, namespace: string): Promise<void>;
  launch(names: string[], config: ContainerConfig, namespace: string): Promise<VmResult[]>;
  /** After a launch: report the new containers at once. */
  launched(): Promise<void>;
}

export class PlacementWorker {
  private readonly seen = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private unwatch?: () => Promise<void>;

  constructor(
    private readonly store: ClusterStore,
    private readonly self: string,
    private readonly engine: WorkerEngine,
  ) {}

  async start(): Promise<void> {
    const prefix = keys.placements(this.self);
    // Watch first, then list: an order written in between arrives twice and is taken once.
    this.unwatch = await this.store.watch(prefix, (e: StoreEvent) => {
      if (e.type === 'put') this.take(e.key, e.value);
      else this.seen.delete(e.key);
    });
    for (const kv of await this.store.list(prefix)) this.take(kv.key, kv.value);
  }

  private take(key: string, value: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.chain = this.chain.then(() => this.run(key, value).catch((e: unknown) => logError(`cluster: placement ${lastPart(key)}`, e)));
  }

  /** Launch one order and answer it. */
  private async run(key: string, value: string): Promise<void> {
    const order = parseJson<PlacementOrder>(value);
    if (!order) {
      await this.store.delete(key);
      return;
    }
    const result = await this.launch(order);
    await this.store.txn(
      [
        { op: 'put', key: keys.result(order.id, this.self), value: JSON.stringify(result) },
        { op: 'delete', key },
      ],
      key,
    );
  }

  async launch(order: PlacementOrder): Promise<LaunchResult> {
    const ns = order.namespace;
    const errors: string[] = [];
    // The aliases as the requesting host resolved them, so `LAN` is the same VLAN on every host.
    const have = new Map((await this.engine.vlans(ns)).map((v) => [v.alias, v.vlan]));
    for (const v of order.vlans) {
      const mine = have.get(v.alias);
      if (mine === undefined) await this.engine.addVlan(v.alias, v.vlan, ns);
      else if (mine !== v.vlan) errors.push(`vlan alias ${v.alias} is ${mine} on ${this.self}, ${v.vlan} where it was launched`);
    }
    if (errors.length) return { launched: 0, errors };
    const existing = await this.engine.names(ns);
    let launched = 0;
    for (const g of order.groups) {
      const names = g.names.filter((n) => !existing.has(n));
      launched += g.names.length - names.length;
      if (names.length === 0) continue;
      let results: VmResult[];
      try {
        results = await this.engine.launch(names, g.config, ns);
      } catch (e) {
        errors.push(`${this.self}: ${(e as Error).message}`);
        continue;
      }
      for (const r of results) {
        if (r.error) errors.push(r.error);
        else launched++;
      }
    }
    await this.engine.launched();
    return { launched, errors };
  }

  async stop(): Promise<void> {
    await this.unwatch?.();
    await this.chain;
  }
}
