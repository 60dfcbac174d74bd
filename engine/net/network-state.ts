/** The network's records and net.json, where they persist: container NICs, bridges we created, VLAN aliases, the tap counter. */
import { join } from 'node:path';
import { logError } from '../log.js';
import type { BridgeBackend, OwnedBridges } from './bridge-backend.js';
import { SYS_NET } from './ip.js';
import type { NetHost } from './net-host.js';
import type { ContainerNet, NetStateJSON } from './network-types.js';
import { VlanAliases } from './vlans.js';

/** File in the state dir holding taps, bridges we created and VLAN aliases. */
const STATE_FILE = 'net.json';

/** What net.json holds, in memory. */
export class NetState {
  vlans: VlanAliases = new VlanAliases();
  /** Kernel bridge → the logical bridge it was made for; shared with the bridge backend, which fills it. */
  readonly owned: OwnedBridges = new Map();
  readonly containers = new Map<number, ContainerNet>();
  /** net.json existed but could not be read: what the kernel shows cannot be told from strays. */
  lost = false;
  private nextTap = 0;
  private readonly path: string;

  constructor(
    private readonly host: NetHost,
    private readonly stateDir: string,
    private readonly tapPrefix: string,
  ) {
    this.path = join(stateDir, STATE_FILE);
  }

  /** The next tap name (prefix + counter): one counter for container NICs and host taps, as in minimega. */
  newTap(): string {
    return `${this.tapPrefix}${this.nextTap++}`;
  }

  /** Every MAC address a container NIC has now. */
  macsInUse(): Set<string> {
    return new Set([...this.containers.values()].flatMap((c) => c.nics.map((n) => n.mac)));
  }

  /** Every tap a container NIC has now. */
  tapsInUse(): Set<string> {
    return new Set([...this.containers.values()].flatMap((c) => c.nics.map((n) => n.tap)));
  }

  /** net.json as it was saved, or undefined when there is none or it is unreadable (then `lost`). */
  async read(): Promise<NetStateJSON | undefined> {
    await this.host.mkdirp(this.stateDir);
    const s = (await this.host.exists(this.path)) ? await this.readJson() : undefined;
    if (this.lost) {
      // The taps of containers still running keep their names: number new ones after them.
      for (const name of await this.host.readdir(SYS_NET)) {
        const n = name.startsWith(this.tapPrefix) ? Number(name.slice(this.tapPrefix.length)) : NaN;
        if (Number.isSafeInteger(n) && n >= this.nextTap) this.nextTap = n + 1;
      }
    }
    return s;
  }

  /** Takes up the records `read` gave. */
  restore(s: NetStateJSON | undefined): void {
    if (!s) return;
    this.nextTap = s.nextTap ?? 0;
    this.vlans = VlanAliases.fromJSON(s.vlans);
    for (const [kb, logical] of Object.entries(s.bridges ?? {})) this.owned.set(kb, logical);
    for (const [id, c] of Object.entries(s.containers ?? {})) this.containers.set(Number(id), c);
  }

  async save(): Promise<void> {
    const s: NetStateJSON = {
      version: 1,
      nextTap: this.nextTap,
      vlans: this.vlans.toJSON(),
      bridges: Object.fromEntries(this.owned),
      containers: Object.fromEntries(this.containers),
    };
    await this.host.writeFileAtomic(this.path, JSON.stringify(s, null, 1));
  }

  /**
   * net.json, or undefined when it cannot be read as network state (review L9): its text is kept
   * in net.json.bad, the failure logged, and the network starts empty — recovery then removes the
   * links and bridges no state owns, instead of the daemon refusing to start.
   */
  private async readJson(): Promise<NetStateJSON | undefined> {
    const text = await this.host.readFile(this.path);
    try {
      const s = JSON.parse(text) as NetStateJSON | null;
      if (s && typeof s === 'object' && !Array.isArray(s)) return s;
      throw new Error('not an object');
    } catch (e) {
      this.lost = true;
      await this.host.writeFileAtomic(`${this.path}.bad`, text).catch(() => undefined); // Best-effort: logged either way.
      logError(`network state ${this.path} unreadable (kept in ${STATE_FILE}.bad; starting with none)`, e);
      return undefined;
    }
  }
}

/** What each concern of the network works with once net.json is loaded, under the network's lock. */
export interface NetParts {
  readonly host: NetHost;
  readonly state: NetState;
  readonly backend: BridgeBackend;
  /** This engine's tag in link aliases and marks. */
  readonly tag: string;
  /** Bridge for NetSpecs with bridge ''. */
  readonly defaultBridge: string;
  /** MTU of new container NICs (both ends), as set now; the kernel's default (1500) when undefined. */
  mtu(): number | undefined;
}
