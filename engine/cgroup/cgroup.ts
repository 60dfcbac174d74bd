import { join } from 'node:path';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';
import { controllerHome, parseCgroupMounts, type CgroupLayout, type Controller } from './layout.js';
import * as L from './limits.js';

const PROCS = 'cgroup.procs';
const FREEZE = 'cgroup.freeze';
const EVENTS = 'cgroup.events';
const KILL = 'cgroup.kill';
const SUBTREE = 'cgroup.subtree_control';
const FREEZER_STATE = 'freezer.state';
/** The lines read from memory.events (v2) or memory.oom_control (v1), and from cpu.stat. */
const OOM_KILL = /^oom_kill (\d+)$/m;
const USAGE_USEC = /^usage_usec (\d+)$/m;

/** The engine's own subtree in every hierarchy; nothing outside it is ever written. */
export const ENGINE_PARENT = 'nanomega';

/** How long we wait for the kernel to report a cgroup frozen before giving up. */
const FREEZE_TIMEOUT_MS = 10_000;
/** How long rmdir may keep failing with EBUSY while the last tasks of a killed container exit. */
const REMOVE_TIMEOUT_MS = 5_000;

export type FreezerMode = 'v2' | 'v1';

export interface CgroupOptions {
  layout: CgroupLayout;
  /** Which freezer to use; default: v2 whenever a cgroup2 mount exists (core file, no controller needed). */
  freezer?: FreezerMode;
}

/** Who enforces the device allowlist: the v1 devices cgroup, or the shim's eBPF program on the v2 directory. */
export type DeviceFilter = 'v1' | 'ebpf';

export type LimitsWithDevices = L.Limits & { tun?: boolean; devices?: DeviceFilter };

/** Paths of one container's cgroups: at most one per hierarchy. */
export interface CgroupPaths {
  v2?: string;
  v1: Partial<Record<Controller, string>>;
}

/** The files one `read()` samples; absent where the host has no such controller. */
interface StatFiles {
  memory?: string;
  memoryLimit?: string;
  memoryEvents?: string;
  /** usage_usec, in µs. */
  cpuStat?: string;
  /** In ns; only where no cgroup2 directory has cpu.stat. */
  cpuacctUsage?: string;
  pids?: string;
}

export interface CgroupReading {
  memoryBytes: number;
  memoryLimitBytes: number;
  oomKills: number;
  cpuUsec: number;
  pids: number;
}

/** Hosts whose kernel has cgroup.kill (Linux 5.14): seen in one cgroup2 directory, it is in all but the root. */
const killFiles = new WeakSet<Host>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every cgroup directory a container uses. With a cgroup2 mount, the v1 freezer is only used when
 * asked for (the v2 core freezer does the job) and cpuacct never (every v2 cgroup has cpu.stat):
 * fewer hierarchies, fewer mkdirs per launch.
 */
export function cgroupPaths(layout: CgroupLayout, key: string, freezer?: FreezerMode): CgroupPaths {
  const paths: CgroupPaths = { v1: {} };
  if (layout.unified) paths.v2 = join(layout.unified, ENGINE_PARENT, key);
  for (const c of Object.keys(layout.v1) as Controller[]) {
    if (controllerHome(layout, c) !== 'v1') continue;
    if (paths.v2 && c === 'cpuacct') continue;
    if (paths.v2 && c === 'freezer' && freezer !== 'v1') continue;
    paths.v1[c] = join(layout.v1[c]!, ENGINE_PARENT, key);
  }
  return paths;
}

/** Distinct directories (co-mounted v1 controllers share one). */
export function distinctDirs(p: CgroupPaths): string[] {
  return [...new Set([...(p.v2 ? [p.v2] : []), ...Object.values(p.v1)])];
}

/** The cgroups of one container: create with limits, freeze/thaw, kill, read stats, remove. */
export class ContainerCgroups {
  readonly paths: CgroupPaths;
  readonly freezer: FreezerMode;
  /** Directories removed by this object since they were created. */
  private readonly gone = new Set<string>();
  /**
   * Created for the eBPF device filter: the v1 devices directory is not used. (Under the engine's
   * parent it would inherit the parent's allowlist, and the filter alone must decide.)
   */
  private withoutV1Devices = false;
  private statFiles: StatFiles | undefined;

  constructor(
    private readonly host: Host,
    private readonly opts: CgroupOptions,
    readonly key: string,
  ) {
    this.paths = cgroupPaths(opts.layout, key, opts.freezer);
    const wanted = opts.freezer ?? (this.paths.v2 ? 'v2' : 'v1');
    if (wanted === 'v2' && !this.paths.v2) throw new EngineError('E_HOST', 'v2 freezer requested but no cgroup2 mount');
    if (wanted === 'v1' && !this.paths.v1.freezer) throw new EngineError('E_HOST', 'v1 freezer requested but no freezer hierarchy');
    this.freezer = wanted;
  }

  /** Directories the container's init joins (it writes "0" to cgroup.procs of each). */
  dirs(): string[] {
    const dirs = distinctDirs(this.paths);
    return this.withoutV1Devices ? dirs.filter((d) => d !== this.paths.v1.devices) : dirs;
  }

  private home(c: Controller): string | undefined {
    const where = controllerHome(this.opts.layout, c);
    return where === 'v2' ? this.paths.v2 : where === 'v1' ? this.paths.v1[c] : undefined;
  }

  /**
   * Create every directory and write the limits; on failure removes what it made. `devices: 'ebpf'`:
   * the shim attaches an eBPF device filter to the v2 directory, so no v1 devices.allow is written.
   */
  async create(limits: LimitsWithDevices): Promise<void> {
    this.gone.clear();
    const devicesDir = this.paths.v1.devices;
    const shared = Object.entries(this.paths.v1).some(([c, dir]) => c !== 'devices' && dir === devicesDir);
    this.withoutV1Devices = limits.devices === 'ebpf' && devicesDir !== undefined && !shared;
    const made: string[] = [];
    try {
      for (const dir of this.dirs()) {
        await this.host.mkdir(dir);
        made.push(dir);
      }
      await this.writeLimits(limits);
    } catch (e) {
      for (const dir of made.reverse()) await this.host.rmdir(dir).catch(() => undefined); // Best-effort: rollback.
      throw e;
    }
  }

  private async writeAll(dir: string | undefined, writes: L.FileWrite[]): Promise<void> {
    if (!dir) return;
    for (const [file, data] of writes) await this.host.writeFile(join(dir, file), data);
  }

  private async writeLimits(l: LimitsWithDevices): Promise<void> {
    const v2 = (c: Controller) => controllerHome(this.opts.layout, c) === 'v2';
    await this.writeAll(this.home('memory'), v2('memory') ? L.v2MemoryWrites(l) : L.v1MemoryWrites(l));
    await this.writeAll(this.home('cpu'), v2('cpu') ? L.v2CpuWrites(l) : L.v1CpuWrites(l));
    await this.writeAll(this.home('pids'), v2('pids') ? L.v2PidsWrites(l) : L.v1PidsWrites(l));
    if (this.paths.v1.devices && l.devices !== 'ebpf') {
      const tun = l.tun ?? false;
      await this.writeAll(this.paths.v1.devices, this.opts.layout.devicePolicyInParent ? L.v1DeviceInheritedWrites(tun) : L.v1DeviceWrites(tun));
    }
  }

  /** The freezer and the directory it is driven in (the shim's bootstrap `freeze`: the monitor freezes there). */
  freezeTarget(): { mode: FreezerMode; dir: string } {
    return this.freezer === 'v2' ? { mode: 'v2', dir: this.paths.v2! } : { mode: 'v1', dir: this.paths.v1.freezer! };
  }

  async freeze(): Promise<void> {
    if (this.freezer === 'v2') {
      await this.host.writeFile(join(this.paths.v2!, FREEZE), '1');
      // Writing cgroup.freeze only asks; cgroup.events says when every task stopped.
      await this.waitFor(join(this.paths.v2!, EVENTS), (t) => /^frozen 1$/m.test(t));
    } else {
      await this.host.writeFile(join(this.paths.v1.freezer!, FREEZER_STATE), 'FROZEN');
      // v1 passes through FREEZING until every task is stopped.
      await this.waitFor(join(this.paths.v1.freezer!, FREEZER_STATE), (t) => t.trim() === 'FROZEN');
    }
  }

  async thaw(): Promise<void> {
    if (this.freezer === 'v2') await this.host.writeFile(join(this.paths.v2!, FREEZE), '0');
    else await this.host.writeFile(join(this.paths.v1.freezer!, FREEZER_STATE), 'THAWED');
  }

  async isFrozen(): Promise<boolean> {
    if (this.freezer === 'v2') return /^frozen 1$/m.test(await this.host.readFile(join(this.paths.v2!, EVENTS)));
    return (await this.host.readFile(join(this.paths.v1.freezer!, FREEZER_STATE))).trim() === 'FROZEN';
  }

  private async waitFor(file: string, done: (text: string) => boolean): Promise<void> {
    const deadline = Date.now() + FREEZE_TIMEOUT_MS;
    for (let delay = 0.2; ; delay = Math.min(delay * 2, 20)) {
      if (done(await this.host.readFile(file))) return;
      if (Date.now() > deadline) throw new EngineError('E_HOST', `timed out waiting for ${file}`, { path: file });
      await sleep(delay);
    }
  }

  /** SIGKILL every task of the container, frozen or not. */
  async kill(): Promise<void> {
    if (this.paths.v2 && (await this.hasKillFile(this.paths.v2))) {
      // cgroup.kill (Linux 5.14) kills the whole subtree atomically; v2-frozen tasks die too.
      await this.host.writeFile(join(this.paths.v2, KILL), '1');
    } else {
      const dir = this.paths.v1.freezer ?? this.dirs()[0]!;
      for (const pid of await this.pids(dir)) this.host.kill(pid, 'SIGKILL');
    }
    // A v1-frozen task keeps SIGKILL pending until thawed.
    if (this.freezer === 'v1') await this.thaw();
  }

  /** Whether cgroup.kill exists: once seen, the kernel has it in every cgroup2 directory (no look per kill). */
  private async hasKillFile(dir: string): Promise<boolean> {
    if (killFiles.has(this.host)) return true;
    const has = await this.host.exists(join(dir, KILL));
    if (has) killFiles.add(this.host);
    return has;
  }

  async pids(dir = this.dirs()[0]!): Promise<number[]> {
    const text = await this.host.readFile(join(dir, PROCS));
    return text.split('\n').filter(Boolean).map(Number);
  }

  /**
   * rmdir every directory; retries EBUSY while the last tasks exit. Missing dirs are fine. Once
   * removed, a second call (vm flush after the exit path) is free: no failed rmdir per hierarchy.
   * `keepMemory`: all but the memory controller's directory, whose removal costs the kernel most
   * (see kill-wave.ts); a later call removes it.
   */
  async remove(opts: { keepMemory?: boolean } = {}): Promise<void> {
    const keep = opts.keepMemory ? this.home('memory') : undefined;
    for (const dir of this.dirs()) {
      if (this.gone.has(dir) || dir === keep) continue;
      await removeCgroupDir(this.host, dir);
      this.gone.add(dir);
    }
  }

  /** One sample of the container's figures (the 1 Hz sampler's read: paths and patterns made once). */
  async read(): Promise<CgroupReading> {
    const f = (this.statFiles ??= this.findStatFiles());
    return {
      memoryBytes: await this.readNumber(f.memory),
      memoryLimitBytes: await this.readNumber(f.memoryLimit),
      oomKills: await this.readField(f.memoryEvents, OOM_KILL),
      cpuUsec: f.cpuStat ? await this.readField(f.cpuStat, USAGE_USEC) : Math.round((await this.readNumber(f.cpuacctUsage)) / 1000),
      pids: await this.readNumber(f.pids),
    };
  }

  private findStatFiles(): StatFiles {
    const at = (dir: string | undefined, file: string) => (dir ? join(dir, file) : undefined);
    const v2 = (c: Controller) => controllerHome(this.opts.layout, c) === 'v2';
    const mem = this.home('memory');
    const memV2 = v2('memory');
    // Every cgroup2 directory has cpu.stat, with or without the cpu controller; cpuacct is the v1-only fallback.
    const cpuStat = v2('cpu') ? at(this.home('cpu'), 'cpu.stat') : at(this.paths.v2, 'cpu.stat');
    return {
      memory: at(mem, memV2 ? 'memory.current' : 'memory.usage_in_bytes'),
      memoryLimit: at(mem, memV2 ? 'memory.max' : 'memory.limit_in_bytes'),
      memoryEvents: at(mem, memV2 ? 'memory.events' : 'memory.oom_control'),
      cpuStat,
      cpuacctUsage: cpuStat ? undefined : at(this.paths.v1.cpuacct, 'cpuacct.usage'),
      pids: at(this.home('pids'), 'pids.current'),
    };
  }

  /** A one-number file; "max" is Infinity, and a missing or unreadable file 0 (the sampler is best-effort). */
  private async readNumber(path: string | undefined): Promise<number> {
    if (!path) return 0;
    const t = (await this.host.readFile(path).catch(() => '0')).trim();
    return t === 'max' ? Infinity : Number(t) || 0;
  }

  /** The value of one `key value` line, 0 when the file or the line is missing. */
  private async readField(path: string | undefined, line: RegExp): Promise<number> {
    if (!path) return 0;
    const m = line.exec(await this.host.readFile(path).catch(() => ''));
    return m ? Number(m[1]) : 0;
  }
}

export async function removeCgroupDir(host: Host, dir: string): Promise<void> {
  const deadline = Date.now() + REMOVE_TIMEOUT_MS;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      await host.rmdir(dir);
      return;
    } catch (e) {
      const errno = e instanceof EngineError ? e.detail.errno : '';
      if (errno === 'ENOENT') return;
      if (errno !== 'EBUSY' || Date.now() > deadline) throw e;
      await sleep(delay);
    }
  }
}

/**
 * Create the engine's parent directories. On v2 the parent must delegate the controllers we
 * drive through v2 to its children (the "no internal processes" rule: the parent holds none).
 * Returns the layout with `devicePolicyInParent` set when the v1 devices parent holds the container
 * allowlist (see devicesParent).
 */
export async function prepareEngineParents(host: Host, layout: CgroupLayout): Promise<CgroupLayout> {
  if (layout.unified) {
    const parent = join(layout.unified, ENGINE_PARENT);
    await host.mkdir(parent, { recursive: true });
    const wanted = ['memory', 'cpu', 'pids'].filter((c) => layout.v2Controllers.has(c));
    if (wanted.length) {
      const rootSubtree = (await host.readFile(join(layout.unified, SUBTREE))).split(/\s+/);
      const missing = wanted.filter((c) => !rootSubtree.includes(c));
      // Pure v2 hosts normally delegate these at the root already (systemd does); enabling one
      // there does not move or limit any existing process.
      if (missing.length) await host.writeFile(join(layout.unified, SUBTREE), missing.map((c) => `+${c}`).join(' '));
      await host.writeFile(join(parent, SUBTREE), wanted.map((c) => `+${c}`).join(' '));
    }
  }
  for (const c of Object.keys(layout.v1) as Controller[]) {
    if (controllerHome(layout, c) === 'v1') await host.mkdir(join(layout.v1[c]!, ENGINE_PARENT), { recursive: true });
  }
  return layout.v1.devices && controllerHome(layout, 'devices') === 'v1'
    ? { ...layout, devicePolicyInParent: await devicesParent(host, join(layout.v1.devices, ENGINE_PARENT)) }
    : layout;
}

/**
 * Put the container allowlist (plus tun) on the engine's v1 devices parent, so containers inherit
 * it. The kernel refuses `deny a` on a devices cgroup that has children, so a parent that already has
 * some (containers of a running or earlier daemon) is only checked: when its list is not exactly the
 * allowlist, every container keeps writing its own (false).
 */
async function devicesParent(host: Host, parent: string): Promise<boolean> {
  const listPath = join(parent, 'devices.list');
  const current = await host.readFile(listPath).catch(() => '');
  if (L.sameDeviceList(current, L.DEVICE_PARENT_LIST)) return true;
  try {
    for (const [file, data] of L.v1DeviceParentWrites()) await host.writeFile(join(parent, file), data);
  } catch {
    return false; // it has children: containers write their own rules, as before
  }
  return L.sameDeviceList(await host.readFile(listPath).catch(() => ''), L.DEVICE_PARENT_LIST);
}

/** Read the layout of this host from /proc/self/mountinfo and the unified root's controllers. */
export async function detectLayout(host: Host): Promise<CgroupLayout> {
  const { unified, v1 } = parseCgroupMounts(await host.readFile('/proc/self/mountinfo'));
  let v2Controllers = new Set<string>();
  if (unified) {
    const text = await host.readFile(join(unified, 'cgroup.controllers')).catch(() => '');
    v2Controllers = new Set(text.split(/\s+/).filter(Boolean));
  }
  return { unified, v2Controllers, v1 };
}
