import { join } from 'node:path';
import type { ContainerConfig, ContainerId, NicInfo, NicQos, VmState } from '../api/types.js';
import { EngineError } from '../errors.js';
import type { Host } from '../host/host.js';

const STATE_FILE = 'state.json';
const ENGINE_FILE = 'engine.json';

/** Everything needed to re-adopt a container after a daemon restart; lives in <base>/<id>/state.json. */
export interface ContainerRecord {
  id: ContainerId;
  name: string;
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

export class StateStore {
  constructor(
    private readonly host: Host,
    readonly base: string,
  ) {}

  dir(id: ContainerId): string {
    return join(this.base, String(id));
  }

  async save(rec: ContainerRecord): Promise<void> {
    await this.host.writeFileAtomic(join(this.dir(rec.id), STATE_FILE), JSON.stringify(rec, null, 1) + '\n');
  }

  async load(id: ContainerId): Promise<ContainerRecord> {
    const path = join(this.dir(id), STATE_FILE);
    const text = await this.host.readFile(path);
    try {
      return JSON.parse(text) as ContainerRecord;
    } catch (e) {
      throw new EngineError('E_HOST', `parse ${path}: ${(e as Error).message}`, { path });
    }
  }

  /** Ids of every instance directory that holds a state file. */
  async ids(): Promise<ContainerId[]> {
    const ids: ContainerId[] = [];
    for (const name of await this.host.readdir(this.base)) {
      if (/^\d+$/.test(name) && (await this.host.exists(join(this.base, name, STATE_FILE)))) ids.push(Number(name));
    }
    return ids.sort((a, b) => a - b);
  }

  async remove(id: ContainerId): Promise<void> {
    await this.host.removeTree(this.dir(id));
  }

  async loadEngine(): Promise<EngineRecord> {
    const path = join(this.base, ENGINE_FILE);
    if (!(await this.host.exists(path))) return { nextId: 0, modules: {} };
    return JSON.parse(await this.host.readFile(path)) as EngineRecord;
  }

  async saveEngine(rec: EngineRecord): Promise<void> {
    await this.host.writeFileAtomic(join(this.base, ENGINE_FILE), JSON.stringify(rec) + '\n');
  }
}
