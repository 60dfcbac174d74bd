/**
 * This host in the cluster: its record under the session lease (hosts/HOST: where its API listens,
 * its capacity and load, refreshed every REFRESH_MS and whenever its containers change), and its
 * containers' report (status/HOST, not leased: while the host is down the others show what it had).
 * Also the view of every host: the live records, plus hosts that only have a report (down).
 */
import type { ClusterHost, ContainerInfo, HostStats } from '../api/types.js';
import { logError } from '../log.js';
import { keys, lastPart, parseJson, type StatusReport } from './keys.js';
import type { ClusterStore } from './store.js';

/** How often the host record is refreshed with the current load. */
const REFRESH_MS = 3_000;
/** Containers changing in a burst (a launch of hundreds) are reported once at the end of it. */
const REPORT_DEBOUNCE_MS = 500;

/** What the membership reads from the engine. */
export interface MemberEngine {
  vms(): Promise<ContainerInfo[]>;
  hostStats(): Promise<HostStats | undefined>;
  onContainersChanged(fn: () => void): () => void;
}

export interface SelfInfo {
  name: string;
  api: string;
  address: string;
  mtu: number;
}

function live(state: string): boolean {
  return state === 'BUILDING' || state === 'RUNNING' || state === 'PAUSED';
}

export class Membership {
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private offChanged?: () => void;
  private readonly startedAt = Date.now();
  private publishing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: ClusterStore,
    private readonly self: SelfInfo,
    private readonly engine: MemberEngine,
  ) {}

  /** Register (the daemon is a member once this resolves) and keep the record fresh. */
  async start(): Promise<void> {
    await this.publish(true);
    this.timer = setInterval(() => this.schedulePublish(false), REFRESH_MS);
    this.timer.unref();
    this.offChanged = this.engine.onContainersChanged(() => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.schedulePublish(true), REPORT_DEBOUNCE_MS);
      this.debounce.unref();
    });
  }

  private schedulePublish(report: boolean): void {
    if (this.stopped) return;
    this.publishing = this.publishing.then(() => this.publish(report).catch((e: unknown) => logError('cluster: publishing this host', e)));
  }

  /** The record now, and with `withReport` the containers' report too (only when they changed). */
  private async publish(withReport: boolean): Promise<void> {
    const vms = await this.engine.vms();
    const stats = await this.engine.hostStats();
    const alive = vms.filter((v) => live(v.state));
    const rec: ClusterHost = {
      ...this.self,
      cpus: stats?.cpus ?? 1,
      memoryMB: Math.floor((stats?.memoryTotalBytes ?? 0) / 2 ** 20),
      memoryUsedMB: Math.floor((stats?.memoryUsedBytes ?? 0) / 2 ** 20),
      load1: stats?.load1 ?? 0,
      containers: alive.length,
      cpuCommit: alive.reduce((n, v) => n + v.config.vcpus, 0),
      memCommit: alive.reduce((n, v) => n + v.config.memory, 0),
      netCommit: alive.reduce((n, v) => n + v.nics.length, 0),
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      up: true,
      leader: false,
    };
    const report: StatusReport = { host: rec, vms };
    await this.store.txn([
      { op: 'put', key: keys.host(this.self.name), value: JSON.stringify(rec), session: true },
      ...(withReport ? [{ op: 'put' as const, key: keys.status(this.self.name), value: JSON.stringify(report) }] : []),
    ]);
  }

  /** Report now (after a launch, so the scheduler sees the new load at once). */
  refresh(): Promise<void> {
    this.schedulePublish(true);
    return this.publishing;
  }

  /** Every host: live ones from their records, the others (down) from their last report. */
  async hosts(leader?: string): Promise<ClusterHost[]> {
    const up = new Map<string, ClusterHost>();
    for (const kv of await this.store.list(keys.hosts)) {
      const h = parseJson<ClusterHost>(kv.value);
      if (h) up.set(lastPart(kv.key), { ...h, up: true, leader: h.name === leader });
    }
    const out = [...up.values()];
    for (const kv of await this.store.list(keys.statuses)) {
      const name = lastPart(kv.key);
      if (up.has(name)) continue;
      const r = parseJson<StatusReport>(kv.value);
      if (r) out.push({ ...r.host, name, up: false, leader: false, containers: r.vms.filter((v) => live(v.state)).length });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** What `host` last reported. */
  async lastReport(host: string): Promise<StatusReport | undefined> {
    return parseJson<StatusReport>(await this.store.get(keys.status(host)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.offChanged?.();
    await this.publishing;
  }
}
