/**
 * A daemon's membership of a cluster (`nanomega serve --cluster`): the etcd session, this host's record
 * and report, the peer API, the placement worker, the scheduler election, and the ClusterPort the
 * language fans out through. One object per daemon, made by Cluster.join and ended by leave().
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:net';
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import type { ClusterHost, ContainerInfo, HostContainers, HostResponse, HostStats } from '../api/types.js';
import type { Engine } from '../engine.js';
import { EngineError } from '../errors.js';
import type { ClusterPort, ScheduleOutcome, ScheduleRequest } from '../language/cluster-port.js';
import { logError } from '../log.js';
import { keys, lastPart, parseJson, SCHEDULER_ELECTION, type LaunchRequest, type LaunchResult, type Plan } from './keys.js';
import { SchedulerLeader } from './leader.js';
import { Membership } from './membership.js';
import { PeerClient, servePeers, type TlsMaterial } from './peer-link.js';
import type { ClusterStore } from './store.js';
import { PlacementWorker } from './worker.js';
import { VxlanSync } from './vxlan-sync.js';
import { VxlanTunnels, vxlanMtu } from '../net/vxlan.js';
import { netHostOf } from '../net/net-host.js';

/** Host figures before the stats sampler's first sample (the record is published at once). */
function osStats(): HostStats {
  const states = { BUILDING: 0, RUNNING: 0, PAUSED: 0, QUIT: 0, ERROR: 0 };
  return {
    t: Date.now(),
    memoryTotalBytes: totalmem(),
    memoryUsedBytes: totalmem() - freemem(),
    load1: loadavg()[0] ?? 0,
    cpus: availableParallelism(),
    cpuBusy: 0,
    states,
  };
}

/** While a launch waits for hosts' results, how often it checks that they are still up. */
const DOWN_CHECK_MS = 2_000;

export interface ClusterConfig {
  /** This host's name (its certificate's). */
  name: string;
  /** Where the peer API listens; its host is the host's underlay address (VXLAN endpoints). */
  listen: { host: string; port: number };
  /** MTU of the underlay interface. */
  mtu: number;
  tls: TlsMaterial;
}

/** The engine as the cluster sees it. */
export interface ClusterEngineHooks {
  serveConnection(sock: import('node:net').Socket): void;
  log(message: string): void;
}

export class Cluster implements ClusterPort {
  readonly self: string;
  private readonly peers = new Map<string, PeerClient>();
  /** Live hosts' records, kept by a watch on hosts/. */
  private readonly live = new Map<string, ClusterHost>();
  private unwatchHosts?: () => Promise<void>;
  private server?: Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  readonly membership: Membership;
  private readonly worker: PlacementWorker;
  readonly leader: SchedulerLeader;
  private readonly vxlan: VxlanSync;

  private constructor(
    private readonly engine: Engine,
    private readonly store: ClusterStore,
    private readonly config: ClusterConfig,
    private readonly hooks: ClusterEngineHooks,
  ) {
    this.self = config.name;
    const ctx = engine.ctx;
    const api = `${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${config.listen.port}`;
    this.membership = new Membership(
      store,
      { name: this.self, api, address: config.listen.host, mtu: config.mtu },
      {
        // Recorded state only: reading every container's addresses from its netns is not worth it here.
        vms: async () => [...ctx.containers.values()].map((c) => ctx.info(c)),
        hostStats: async () => engine.stats.hostSeries().at(-1) ?? osStats(),
        onContainersChanged: (fn) => {
          const a = engine.on('containers.changed', fn);
          const b = engine.on('containers.removed', fn);
          return () => (a(), b());
        },
      },
    );
    this.worker = new PlacementWorker(store, this.self, {
      names: async (ns) => new Set((await engine.handlers['vm.info'](ns)).map((v) => v.name)),
      vlans: (ns) => engine.handlers['net.vlans'](ns),
      addVlan: (alias, vlan, ns) => engine.handlers['net.vlans.add'](alias, vlan, ns),
      launch: (names, config, ns) => engine.handlers['vm.launch'](names.join(','), config, ns),
      launched: () => this.membership.refresh(),
    });
    const tunnelMtu = vxlanMtu(config.mtu, config.listen.host);
    // Container NICs no larger than the tunnels their VLAN may cross (the kernel's 1500 otherwise).
    if (tunnelMtu < 1500) ctx.network.setMtu(tunnelMtu);
    const tunnels = new VxlanTunnels(netHostOf(ctx.host), ctx.network, config.listen.host, tunnelMtu);
    this.vxlan = new VxlanSync(
      store,
      this.self,
      { address: config.listen.host, mtu: config.mtu },
      tunnels,
      () => [...ctx.containers.values()].map((c) => ctx.info(c)),
      (fn) => {
        const a = engine.on('containers.changed', fn);
        const b = engine.on('containers.removed', fn);
        return () => (a(), b());
      },
    );
    this.leader = new SchedulerLeader(store, this.self, { hosts: () => this.membership.hosts() }, hooks.log);
  }

  /** Register this host, serve peers, take placements and campaign for the scheduler. */
  static async join(engine: Engine, store: ClusterStore, config: ClusterConfig, hooks: ClusterEngineHooks): Promise<Cluster> {
    const c = new Cluster(engine, store, config, hooks);
    try {
      c.server = await servePeers(config.tls, config.listen, (sock) => {
        c.sockets.add(sock);
        sock.on('close', () => c.sockets.delete(sock));
        hooks.serveConnection(sock);
      });
      c.unwatchHosts = await store.watch(keys.hosts, (e) => {
        const name = lastPart(e.key);
        if (e.type === 'delete') c.live.delete(name);
        else {
          const h = parseJson<ClusterHost>(e.value);
          if (h) {
            c.live.set(name, h);
            c.peers.get(name)?.setAddress(h.api);
          }
        }
      });
      for (const h of await c.membership.hosts()) if (h.up) c.live.set(h.name, h);
      await c.membership.start();
      c.live.set(
        c.self,
        (await c.membership.hosts()).find((h) => h.name === c.self)!,
      );
      await c.vxlan.start();
      await c.worker.start();
      c.leader.start();
    } catch (e) {
      await c.leave().catch(() => undefined);
      throw e;
    }
    return c;
  }

  /** Names of the hosts that are up now (sync: `vm config schedule` checks and new namespaces use it). */
  liveNames(): string[] {
    return [...this.live.keys()].sort();
  }

  async hosts(): Promise<ClusterHost[]> {
    const leader = await this.store.leader(SCHEDULER_ELECTION).catch(() => undefined);
    return (await this.membership.hosts(leader)).map((h) => (h.name === this.self ? { ...h, self: true } : h));
  }

  private peer(host: string): PeerClient {
    const rec = this.live.get(host);
    if (!rec) throw new EngineError('E_UNAVAILABLE', `host ${host} is down (not registered in the cluster)`, { host });
    let p = this.peers.get(host);
    if (!p) {
      p = new PeerClient(host, rec.api, this.config.tls);
      this.peers.set(host, p);
    }
    return p;
  }

  run(host: string, line: string, namespace: string): Promise<HostResponse[]> {
    return this.peer(host).call<HostResponse[]>('mesh.run', [line, namespace]);
  }

  /** A contract call on a peer daemon. */
  call<T>(host: string, method: string, args: unknown[]): Promise<T> {
    return this.peer(host).call<T>(method, args);
  }

  /** The link to a peer daemon, for calls and its events (remote consoles). */
  link(host: string): PeerClient {
    return this.peer(host);
  }

  /** Every container of the other hosts (all namespaces): asked of those up, as last reported (UNKNOWN) of the rest. */
  async containers(): Promise<HostContainers[]> {
    const others = (await this.hosts()).filter((h) => h.name !== this.self);
    return Promise.all(
      others.map(async (h): Promise<HostContainers> => {
        if (h.up) {
          try {
            return { host: h.name, up: true, vms: await this.call<ContainerInfo[]>(h.name, 'vm.info', []) };
          } catch {
            // unreachable although registered: what it last reported
          }
        }
        const last = (await this.membership.lastReport(h.name).catch(() => undefined))?.vms ?? [];
        return { host: h.name, up: false, vms: last.map((v) => ({ ...v, state: 'UNKNOWN' as ContainerInfo['state'] })) };
      }),
    );
  }

  async lastKnown(host: string, namespace: string): Promise<ContainerInfo[]> {
    return ((await this.membership.lastReport(host))?.vms ?? []).filter((v) => v.namespace === namespace);
  }

  async vms(namespace: string): Promise<ContainerInfo[]> {
    const all = await this.hosts();
    const lists = await Promise.all(
      all.map(async (h) => {
        if (h.name === this.self) return this.engine.handlers['vm.info'](namespace);
        if (h.up) {
          try {
            return await this.call<ContainerInfo[]>(h.name, 'vm.info', [namespace]);
          } catch {
            // unreachable although registered: what it last reported
          }
        }
        return this.lastKnown(h.name, namespace);
      }),
    );
    return lists.flat();
  }

  plan(req: ScheduleRequest): Promise<Record<string, string[]>> {
    return this.leader.placement(req);
  }

  /** A launch through the elected scheduler: request, plan, each host's result. */
  async schedule(req: ScheduleRequest): Promise<ScheduleOutcome> {
    const id = `${Date.now().toString(36).padStart(10, '0')}-${randomBytes(4).toString('hex')}`;
    const request: LaunchRequest = { id, from: this.self, ...req };
    let plan: Plan | undefined;
    const results = new Map<string, LaunchResult>();
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    const check = () => {
      if (!plan) return;
      if (plan.error !== undefined || Object.keys(plan.placed ?? {}).every((h) => results.has(h))) settle();
    };
    const stops = [
      await this.store.watch(keys.plan(id), (e) => {
        if (e.type === 'put') plan = parseJson<Plan>(e.value) ?? { error: 'unreadable plan' };
        check();
      }),
      await this.store.watch(keys.results(id), (e) => {
        if (e.type !== 'put') return;
        results.set(lastPart(e.key), parseJson<LaunchResult>(e.value) ?? { launched: 0, errors: ['unreadable result'] });
        check();
      }),
    ];
    const downCheck = setInterval(() => {
      if (!plan?.placed) return;
      for (const h of Object.keys(plan.placed)) {
        if (!results.has(h) && !this.live.has(h)) {
          results.set(h, { launched: 0, errors: [`host ${h} went down before it launched its share; it launches them when it returns`] });
        }
      }
      check();
    }, DOWN_CHECK_MS);
    try {
      await this.store.put(keys.request(id), JSON.stringify(request), { session: true });
      await done;
    } finally {
      clearInterval(downCheck);
      for (const stop of stops) await stop().catch(() => undefined);
      await this.store.delete(keys.plan(id)).catch(() => undefined);
      for (const h of results.keys()) await this.store.delete(keys.result(id, h)).catch(() => undefined);
    }
    if (plan?.error !== undefined) return { placed: {}, launched: 0, errors: [plan.error] };
    const outcome: ScheduleOutcome = { placed: plan?.placed ?? {}, launched: 0, errors: [] };
    for (const r of results.values()) {
      outcome.launched += r.launched;
      outcome.errors.push(...r.errors);
    }
    return outcome;
  }

  /** Leave: stop scheduling and taking orders, close peers, revoke the session (the record goes at once). */
  async leave(): Promise<void> {
    await this.leader.stop().catch((e: unknown) => logError('cluster: leaving the election', e));
    await this.worker.stop().catch((e: unknown) => logError('cluster: stopping placements', e));
    await this.vxlan.stop().catch((e: unknown) => logError('cluster: stopping vxlan', e));
    await this.membership.stop().catch((e: unknown) => logError('cluster: stopping membership', e));
    await this.unwatchHosts?.().catch(() => undefined);
    for (const p of this.peers.values()) p.close();
    if (this.server) {
      const closed = new Promise<void>((r) => this.server!.close(() => r()));
      for (const sock of this.sockets) sock.destroy();
      await closed;
    }
    await this.store.close();
  }
}
