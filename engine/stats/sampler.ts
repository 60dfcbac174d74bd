/**
 * The engine's 1 Hz stats sampler: reads every live container's cgroup files (through the Host
 * seam, via ContainerCgroups.read()) and the host's procfs figures, keeps them in bounded rings
 * and pushes one `stats.sample` event per tick with every sample of that tick.
 */
import type { ContainerId, HostStats, StatsSample, VmState } from '../api/types.js';
import { VM_STATES } from '../api/types.js';
import { ContainerCgroups } from '../cgroup/cgroup.js';
import type { Container, EngineContext } from '../context.js';
import { isAlive } from '../state/lifecycle.js';
import { HostSampler } from './host-stats.js';
import { SERIES_CAPACITY, SeriesRing } from './ring.js';
import type { StatFileHost } from './stat-file-host.js';

export const SAMPLE_INTERVAL_MS = 1_000;
/**
 * Containers read at once. Each read is a handful of small cgroupfs files; a bounded fan-out
 * keeps a tick of 1000 containers well inside its second without flooding libuv's threadpool
 * (4 threads) that console and state I/O share.
 */
const READ_CONCURRENCY = 16;
/** Containers read between two turns of the event loop (StatFileHost reads synchronously). */
const YIELD_EVERY = 64;
/**
 * Containers read for the first time in one tick; the others wait for the next ticks. A first read
 * opens every stat file of the container (kernfs opens, ~0.17 ms a container on a hybrid host, where
 * later reads are one pread each): after a wave of 1000 launches that is most of 200 ms of the
 * daemon's CPU in one second, taken from the launches still going on. 128 a tick: a thousand new
 * containers all have figures within 8 s.
 */
export const FIRST_READS_PER_TICK = 128;
/** Limits at or above this are "no limit" (v1 reports PAGE_COUNTER_MAX pages, ~2^63 bytes). */
const UNLIMITED_BYTES = 2 ** 60;

export class StatsSampler {
  private readonly rings = new Map<ContainerId, SeriesRing>();
  private readonly hostRing: HostStats[] = [];
  private readonly hostSampler: HostSampler;
  /** Last OOM-kill count seen per container, to warn once per new kill. */
  private readonly oomSeen = new Map<ContainerId, number>();
  /** Cgroups read through `statHost`, per container, with the key they were made for. */
  private readonly readers = new Map<ContainerId, ContainerCgroups>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /**
   * `statHost` (production: a StatFileHost over the engine's host) serves the cgroup reads;
   * without it each container's own ContainerCgroups (ctx.host) is read.
   */
  constructor(
    private readonly ctx: EngineContext,
    private readonly statHost?: StatFileHost,
    private readonly capacity = SERIES_CAPACITY,
  ) {
    this.hostSampler = new HostSampler(ctx.host);
  }

  start(intervalMs = SAMPLE_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A tick that overruns its second is not stacked on: the next one is skipped.
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.statHost?.closeAll();
    this.readers.clear();
  }

  /** Recent samples of one container, oldest first. */
  series(id: ContainerId, n?: number): StatsSample[] {
    return this.rings.get(id)?.toArray(n) ?? [];
  }

  /** The newest sample of one container. */
  latest(id: ContainerId): StatsSample | undefined {
    return this.rings.get(id)?.last();
  }

  hostSeries(): HostStats[] {
    return [...this.hostRing];
  }

  /** Sample everything once (the timer calls this; tests call it directly). */
  async tick(now = Date.now()): Promise<void> {
    for (const id of this.rings.keys()) if (!this.ctx.containers.has(id)) this.forget(id);
    const alive = [...this.ctx.containers.values()].filter((c) => isAlive(c.rec.state));
    this.dropReaders(alive);
    const samples: StatsSample[] = [];
    // A container still being built may have no cgroups yet (not sampled), and a BUILDING one is
    // frozen before exec of init: its figures cannot change, so after its first sample the last one
    // is repeated with the new time. A launch wave of thousands then reads nothing per second.
    let live: Container[] = [];
    const launching = alive.some((c) => c.rec.phase === 'launching');
    for (const c of alive) {
      const last = c.rec.state === 'BUILDING' ? this.rings.get(c.rec.id) : undefined;
      // Being killed: its cgroups are going (a mass kill would read thousands of them for nothing).
      if (c.rec.phase === 'launching' || c.rec.killRequested) continue;
      if (last?.last()) {
        const s = { ...last.last()!, t: now };
        last.push(s);
        samples.push(s);
      } else live.push(c);
    }
    live = this.withFirstReadsCapped(live, launching);
    for (let i = 0; i < live.length; i += READ_CONCURRENCY) {
      const batch = await Promise.all(live.slice(i, i + READ_CONCURRENCY).map((c) => this.sample(c, now)));
      for (const s of batch) if (s) samples.push(s);
      if ((i + READ_CONCURRENCY) % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
    if (samples.length) this.ctx.emit('stats.sample', samples);
    const host = await this.hostSampler.read(now, this.countStates()).catch(() => undefined); // Best-effort: procfs is always there on Linux; a failed read skips one point.
    if (host) {
      this.hostRing.push(host);
      if (this.hostRing.length > this.capacity) this.hostRing.shift();
      this.ctx.emit('stats.host', host);
    }
  }

  private async sample(c: Container, t: number): Promise<StatsSample | undefined> {
    // Best-effort: the container may exit mid-read (its cgroups vanish); the exit path reports that.
    const r = await this.reader(c)
      .read()
      .catch(() => undefined);
    if (!r) return undefined;
    const id = c.rec.id;
    const s: StatsSample = {
      id,
      t,
      memoryBytes: r.memoryBytes,
      memoryLimitBytes: r.memoryLimitBytes >= UNLIMITED_BYTES ? 0 : r.memoryLimitBytes,
      oomKills: r.oomKills,
      cpuUsec: r.cpuUsec,
      pids: r.pids,
    };
    let ring = this.rings.get(id);
    if (!ring) this.rings.set(id, (ring = new SeriesRing(id, this.capacity)));
    ring.push(s);
    this.noticeOom(c, r.oomKills, t);
    return s;
  }

  /**
   * An OOM kill of init ends the container and the exit path marks it ERROR; a kill of any other
   * process leaves it running, so say so here (the count stays in the series).
   */
  private noticeOom(c: Container, oomKills: number, t: number): void {
    const seen = this.oomSeen.get(c.rec.id) ?? 0;
    this.oomSeen.set(c.rec.id, oomKills);
    if (oomKills <= seen) return;
    if (c.rec.initPid > 0 && !this.ctx.host.kill(c.rec.initPid, 0)) return; // init itself died: the exit path reports it
    this.ctx.emit('engine.log', {
      t,
      level: 'warn',
      message: `${c.rec.name}: the OOM killer killed ${oomKills - seen} process(es) in the container (memory limit ${c.rec.config.memory} MB, oom_kill ${oomKills})`,
    });
  }

  /**
   * `live` with at most FIRST_READS_PER_TICK containers never read before: running ones before the
   * frozen BUILDING ones (their figures are the shim's until vm start), then by id. While a launch
   * is under way no BUILDING one is read for the first time: the wave's opens would compete with it.
   */
  private withFirstReadsCapped(live: Container[], launching: boolean): Container[] {
    const known: Container[] = [];
    const fresh: Container[] = [];
    for (const c of live) {
      if (this.wasRead(c)) known.push(c);
      else if (!launching || c.rec.state !== 'BUILDING') fresh.push(c);
    }
    const building = (c: Container) => (c.rec.state === 'BUILDING' ? 1 : 0);
    fresh.sort((a, b) => building(a) - building(b) || a.rec.id - b.rec.id);
    return [...known, ...fresh.slice(0, FIRST_READS_PER_TICK)];
  }

  /** Whether the container's files were read already (kept open through `statHost`, or a series). */
  private wasRead(c: Container): boolean {
    return this.statHost ? this.readers.get(c.rec.id)?.key === c.cgroups.key : this.rings.has(c.rec.id);
  }

  private reader(c: Container): ContainerCgroups {
    if (!this.statHost) return c.cgroups;
    let r = this.readers.get(c.rec.id);
    if (!r) this.readers.set(c.rec.id, (r = new ContainerCgroups(this.statHost, { layout: this.ctx.layout, freezer: c.cgroups.freezer }, c.cgroups.key)));
    return r;
  }

  /** Close the kept-open files of containers that ended or were relaunched under another key. */
  private dropReaders(live: Container[]): void {
    const keys = new Map(live.map((c) => [c.rec.id, c.cgroups.key]));
    for (const [id, r] of this.readers) {
      if (keys.get(id) === r.key) continue;
      for (const dir of r.dirs()) this.statHost?.forget(dir);
      this.readers.delete(id);
    }
  }

  private forget(id: ContainerId): void {
    this.rings.delete(id);
    this.oomSeen.delete(id);
  }

  private countStates(): Record<VmState, number> {
    const states = Object.fromEntries(VM_STATES.map((s) => [s, 0])) as Record<VmState, number>;
    for (const c of this.ctx.containers.values()) states[c.rec.state]++;
    return states;
  }
}
