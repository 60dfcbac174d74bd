import { join } from 'node:path';
import type { ContainerConfig, ContainerId, NicInfo, NicQos, VmState } from '../api/types.js';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';
import { KillIntents } from './kill-intents.js';

const STATE_FILE = 'state.json';
const ENGINE_FILE = 'engine.json';

/** Everything needed to re-adopt a container after a daemon restart; lives in <base>/<id>/state.json. */
export interface ContainerRecord {
  id: ContainerId;
  name: string;
  /** Its namespace; absent in records from before namespaces: the default one. */
  namespace?: string;
  state: VmState;
  uuid: string;
  config: ContainerConfig;
  tags: Record<string, string>;
  launchedAt: number;
  /** 'launching' while the shim builds it: a restart finding this rolls the launch back. */
  phase: 'launching' | 'ready';
  monitorPid: number;
  initPid: number;
  /** Start time (clock ticks, /proc/<pid>/stat field 22) of init, to detect pid reuse. */
  initStartTicks: number;
  /** Set by `vm kill` so the exit is recorded as QUIT, whatever the signal. */
  killRequested: boolean;
  /** Cgroup key (directory name under nanomega/ in each hierarchy). */
  cgroupKey: string;
  /** Root filesystem actually used (config.filesystem or the built-in host fs). */
  rootfs: string;
  /** An imported image's environment and working directory for init (engine/rootfs/image.ts). */
  image?: { env: string[]; workdir: string };
  nics: NicInfo[];
  /** `qos add` settings per NIC index; re-applied when a relaunch makes new host ends. */
  qos?: NicQos[];
}

/** Daemon-wide counters that must survive restarts. */
export interface EngineRecord {
  nextId: number;
  /** Opaque state of other modules (VLAN aliases, tap counter …), keyed by module. */
  modules: Record<string, unknown>;
}

/** What makes `v` unusable as the record of `id`, or undefined when it will do. */
function recordProblem(v: unknown, id: ContainerId): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a container record';
  const r = v as Partial<ContainerRecord>;
  if (r.id !== id) return `id ${String(r.id)} in the directory of ${id}`;
  if (typeof r.name !== 'string' || !r.name) return 'no name';
  if (typeof r.state !== 'string') return 'no state';
  if (typeof r.config !== 'object' || r.config === null) return 'no config';
  if (typeof r.cgroupKey !== 'string') return 'no cgroup key';
  if (!Number.isSafeInteger(r.initPid) || !Number.isSafeInteger(r.monitorPid)) return 'bad pids';
  if (typeof r.tags !== 'object' || r.tags === null || !Array.isArray(r.nics)) return 'bad tags or nics';
  return undefined;
}

export class StateStore {
  /** `vm kill` requests not yet in the records (kill-intents.ts). */
  readonly kills: KillIntents;

  constructor(
    private readonly host: Host,
    readonly base: string,
  ) {
    this.kills = new KillIntents(host, base);
  }

  dir(id: ContainerId): string {
    return join(this.base, String(id));
  }

  async save(rec: ContainerRecord): Promise<void> {
    await this.host.writeFileAtomic(join(this.dir(rec.id), STATE_FILE), JSON.stringify(rec, null, 1) + '\n');
  }

  /** The record of `id`; E_HOST when the file cannot be read as one (see quarantine). */
  async load(id: ContainerId): Promise<ContainerRecord> {
    const path = join(this.dir(id), STATE_FILE);
    const text = await this.host.readFile(path);
    let rec: unknown;
    try {
      rec = JSON.parse(text);
    } catch (e) {
      throw new EngineError('E_HOST', `parse ${path}: ${(e as Error).message}`, { path });
    }
    const why = recordProblem(rec, id);
    if (why) throw new EngineError('E_HOST', `${path}: ${why}`, { path });
    return rec as ContainerRecord;
  }

  /**
   * Move an unreadable state file of `id` aside (state.json.bad, kept for a human), so the daemon
   * can start and the container can be reported and flushed. Returns where it went.
   */
  async quarantine(id: ContainerId): Promise<string> {
    const path = join(this.dir(id), STATE_FILE);
    const bad = `${path}.bad`;
    await this.host.rename(path, bad);
    return bad;
  }

  /** Ids of every instance directory that holds a state file. */
  async ids(): Promise<ContainerId[]> {
    return (await this.scan()).ids;
  }

  /**
   * Instance directories: those with a state file (ids), and strays, which have none — a crash
   * between making the directory and the first save of its record leaves one (review I6).
   */
  async scan(): Promise<{ ids: ContainerId[]; strays: ContainerId[] }> {
    const ids: ContainerId[] = [];
    const strays: ContainerId[] = [];
    for (const name of await this.host.readdir(this.base)) {
      if (!/^\d+$/.test(name) || (await this.host.kind(join(this.base, name))) !== 'dir') continue;
      if (await this.host.exists(join(this.base, name, STATE_FILE))) ids.push(Number(name));
      else if (!(await this.host.exists(join(this.base, name, `${STATE_FILE}.bad`)))) strays.push(Number(name));
    }
    return { ids: ids.sort((a, b) => a - b), strays: strays.sort((a, b) => a - b) };
  }

  async remove(id: ContainerId): Promise<void> {
    await this.host.removeTree(this.dir(id));
  }

  /**
   * engine.json, or a fresh record when there is none. An unreadable one is moved aside
   * (engine.json.bad) and reported through `onBad`: the daemon starts anyway (review L9), with
   * nextId recomputed from the instance directories by recovery.
   */
  async loadEngine(onBad: (message: string) => void = () => undefined): Promise<EngineRecord> {
    const path = join(this.base, ENGINE_FILE);
    if (!(await this.host.exists(path))) return { nextId: 0, modules: {} };
    let why: string;
    try {
      const rec = JSON.parse(await this.host.readFile(path)) as Partial<EngineRecord> | null;
      if (rec && typeof rec === 'object' && Number.isSafeInteger(rec.nextId) && (rec.nextId as number) >= 0) {
        return { nextId: rec.nextId as number, modules: typeof rec.modules === 'object' && rec.modules ? rec.modules : {} };
      }
      why = 'not an engine record';
    } catch (e) {
      why = (e as Error).message;
    }
    await this.host.rename(path, `${path}.bad`).catch(() => undefined); // Best-effort: reported either way.
    onBad(`${path}: ${why} (moved to ${ENGINE_FILE}.bad; starting with empty engine state)`);
    return { nextId: 0, modules: {} };
  }

  async saveEngine(rec: EngineRecord): Promise<void> {
    await this.host.writeFileAtomic(join(this.base, ENGINE_FILE), JSON.stringify(rec) + '\n');
  }
}
