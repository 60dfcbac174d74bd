import { createHash } from 'node:crypto';
import { EngineError } from '../errors.js';
import { logError } from '../log.js';
import { markOf, type BridgeBackend, type BridgeUplinks, type OwnedBridges, type PortPlan } from './bridge-backend.js';
import { keepHostOff } from './bridge-isolation.js';
import { runBatch, runOne, SYS_NET } from './ip.js';
import { IFNAME_MAX } from './netspec.js';
import type { NetHost } from './net-host.js';

/** Per-bridge sysfs entries. */
const BRIF = 'brif';
const VLAN_FILTERING = 'bridge/vlan_filtering';
const DEFAULT_PVID = 'bridge/default_pvid';
const MASTER = 'master';
/**
 * The bridges nanomega makes flood multicast, as minimega's Open vSwitch bridges do (OVS snoops only
 * when told to). A Linux bridge snoops by default: with no querier on the segment it floods all the same,
 * but keeps a group entry with its timers for every MLD and IGMP report (each container end sends several
 * as its IPv6 comes up), and once a container runs a querier it would stop sending a group to the ports
 * that did not join it, which OVS does not do.
 */
const BRIDGE_TYPE = 'type bridge mcast_snooping 0';

/**
 * BR_MAX_PORTS is 1 << BR_PORT_BITS = 1024 and port number 0 is reserved (net/bridge/br_private.h),
 * so a Linux bridge takes at most 1023 ports; the 1024th enslave fails with EXFULL.
 */
export const BRIDGE_MAX_PORTS = 1023;

/** The VIDs a vlan-filtering bridge takes (VLAN_VID_MASK minus the reserved 0 and 4095). */
const VID_MIN = 1;
const VID_MAX = 4094;

/**
 * `vlan-filtering`: one kernel bridge per logical bridge, each host end an access port
 * (`bridge vlan add vid V pvid untagged`, default vid removed). Needs CONFIG_BRIDGE_VLAN_FILTERING.
 * VLANs 0 and 4095, which minimega accepts but which are no VID a bridge can filter on (the kernel
 * takes 1–4094), get a plain bridge of their own there, as in the per-VLAN mode.
 * `bridge-per-vlan`: kernels built without it (no 802.1Q at all) get one kernel bridge per
 * (logical bridge, VLAN), which isolates VLANs the same way for container-to-container traffic; a
 * trunk to an uplink (trunks.ts) is then one 802.1Q subinterface of the uplink per VLAN bridge.
 */
export type LinuxBridgeMode = 'vlan-filtering' | 'bridge-per-vlan';

/** Kernel bridge name for (bridge, vlan) in bridge-per-vlan mode: `br.V`, hashed when over 15 chars. */
export function perVlanName(bridge: string, vlan: number): string {
  const plain = `${bridge}.${vlan}`;
  if (plain.length <= IFNAME_MAX) return plain;
  const hash = createHash('sha1').update(bridge).digest('hex').slice(0, 4);
  const keep = IFNAME_MAX - hash.length - 1 - String(vlan).length;
  return `${bridge.slice(0, keep)}${hash}.${vlan}`;
}

/** The bridge lines for an access port on a vlan-filtering bridge whose default pvid is `defaultPvid`. */
export function accessPortLines(port: string, vlan: number, dropVids: readonly number[]): string[] {
  const lines = [`vlan add dev ${port} vid ${vlan} pvid untagged`];
  for (const v of dropVids) if (v !== vlan && v !== 0) lines.push(`vlan del dev ${port} vid ${v}`);
  return lines;
}

interface KernelBridgeInfo {
  exists: boolean;
  /** Made by this plan: created down, then taken off the host's IP stacks and brought up. */
  made?: boolean;
  filtering: boolean;
  defaultPvid: number;
  ports: number;
}

/** What adding ports takes, in order: one ip batch, the bridges' isolation, another ip batch, one bridge batch. */
export interface PortsPlan {
  /** Bridges made (down) and bridges of ours switched to filtering. */
  create: string[];
  /** Kernel bridges of ours to take off the host's IP stacks (bridge-isolation.ts) before `ip` runs. */
  isolate: string[];
  /** The bridges in `isolate` brought up (those just made among them), the prelude, the ports enslaved. */
  ip: string[];
  bridge: string[];
  uplinks: string[];
}

/** Brings a kernel bridge up; isolated first (createIsolated). Idempotent. */
function upLine(kb: string): string {
  return `link set ${kb} up`;
}

export class LinuxBridge implements BridgeBackend {
  readonly kind = 'linux' as const;
  /** Kernel bridges of ours this daemon has taken off the host's IP stacks (forgotten when it deletes them). */
  private readonly isolated = new Set<string>();

  constructor(
    private readonly host: NetHost,
    private readonly tag: string,
    private readonly owned: OwnedBridges,
    readonly mode: LinuxBridgeMode,
    private readonly uplinks?: BridgeUplinks,
  ) {}

  /**
   * Which mode this kernel supports: creating a bridge with vlan_filtering fails with EOPNOTSUPP
   * when CONFIG_BRIDGE_VLAN_FILTERING is off. Costs two forks once per daemon.
   */
  static async probeMode(host: NetHost): Promise<LinuxBridgeMode> {
    const name = `nmprobe${process.pid % 100000}`;
    const r = await host.run(['ip', 'link', 'add', 'name', name, 'type', 'bridge', 'vlan_filtering', '1']);
    if (r.code !== 0) return 'bridge-per-vlan';
    await host.run(['ip', 'link', 'del', name]);
    return 'vlan-filtering';
  }

  kernelBridge(bridge: string, vlan: number): string {
    return this.filtered(vlan) ? bridge : perVlanName(bridge, vlan);
  }

  /** Whether `vlan` is a VID on the logical bridge's one filtering kernel bridge. */
  private filtered(vlan: number): boolean {
    return this.mode === 'vlan-filtering' && vlan >= VID_MIN && vlan <= VID_MAX;
  }

  async ensureBridge(name: string): Promise<void> {
    // In bridge-per-vlan mode the kernel bridges are made per VLAN when ports arrive.
    if (this.mode === 'bridge-per-vlan') return;
    const info = await this.info(name);
    const lines = await this.createLines(name, name, info, true);
    const made = info.made === true;
    const isolate = this.toIsolate(name, info) ? [name] : [];
    await this.createIsolated(lines, isolate, isolate.map(upLine), `create bridge ${name}`);
    if (made) await this.addUplinks(this.uplinks?.createLines(name, undefined, name) ?? []);
  }

  addPort(bridge: string, port: string, vlan: number): Promise<void> {
    return this.addPorts([{ bridge, port, vlan }]);
  }

  async addPorts(ports: readonly PortPlan[], prelude: readonly string[] = []): Promise<void> {
    const plan = await this.planPorts(ports, prelude);
    await this.createIsolated(plan.create, plan.isolate, plan.ip, 'attach ports');
    await this.addUplinks(plan.uplinks);
    await runBatch(this.host, 'bridge', plan.bridge, { op: 'set port vlans' });
  }

  /**
   * Puts the uplinks of bridges just made on them. An uplink that cannot be made (its interface gone,
   * a name taken) must not fail the containers' attach: the failure is logged.
   */
  private async addUplinks(lines: readonly string[]): Promise<void> {
    await runBatch(this.host, 'ip', lines, { op: 'attach trunks', force: true }).catch((e: unknown) => logError('bridge trunk', e));
  }

  /** Runs `create`, takes the host off `isolate` (bridge-isolation.ts), then runs `then`. */
  private async createIsolated(create: readonly string[], isolate: readonly string[], then: readonly string[], op: string): Promise<void> {
    await runBatch(this.host, 'ip', create, { op });
    await keepHostOff(this.host, isolate);
    for (const kb of isolate) this.isolated.add(kb);
    await runBatch(this.host, 'ip', then, { op });
  }

  /**
   * Whether kernel bridge `kb` needs taking off the host's IP stacks (and then bringing up): one just made
   * always does (a name can come back after its bridge was deleted); one of ours made by an earlier
   * daemon, or left down by an attach that failed before its bridge came up, once.
   */
  private toIsolate(kb: string, info: KernelBridgeInfo): boolean {
    return info.made === true || (this.owned.has(kb) && !this.isolated.has(kb));
  }

  /** The `ip -batch` and `bridge -batch` text for adding `ports` (exported for tests through this method). */
  async planPorts(ports: readonly PortPlan[], prelude: readonly string[] = []): Promise<PortsPlan> {
    const create: string[] = [];
    const up: string[] = [];
    const isolate: string[] = [];
    const enslave: string[] = [];
    const vlans: string[] = [];
    const uplinks: string[] = [];
    const carried = new Set<string>();
    const infos = new Map<string, KernelBridgeInfo>();
    for (const p of ports) {
      const kb = this.kernelBridge(p.bridge, p.vlan);
      let info = infos.get(kb);
      if (!info) {
        info = await this.info(kb);
        create.push(...(await this.createLines(kb, p.bridge, info, this.filtered(p.vlan))));
        const made = info.made === true;
        if (this.toIsolate(kb, info)) {
          isolate.push(kb);
          up.push(upLine(kb));
        }
        if (made && this.uplinks) uplinks.push(...this.uplinks.createLines(p.bridge, this.filtered(p.vlan) ? undefined : p.vlan, kb));
        infos.set(kb, info);
      }
      if (this.filtered(p.vlan) && this.uplinks && !carried.has(`${p.bridge}/${p.vlan}`)) {
        carried.add(`${p.bridge}/${p.vlan}`);
        vlans.push(...this.uplinks.vlanLines(p.bridge, p.vlan));
      }
      info.ports++;
      if (info.ports > BRIDGE_MAX_PORTS) throw this.fullError(kb, p);
      enslave.push(`link set ${p.port} master ${kb} up`);
      if (this.filtered(p.vlan)) vlans.push(...accessPortLines(p.port, p.vlan, [info.defaultPvid]));
    }
    return { create, isolate, ip: [...up, ...prelude, ...enslave], bridge: vlans, uplinks };
  }

  async movePort(bridge: string, port: string, vlan: number): Promise<void> {
    const kb = this.kernelBridge(bridge, vlan);
    const master = await this.masterOf(port);
    if (master === kb && this.filtered(vlan)) {
      const vids = await this.portVids(port);
      await runBatch(this.host, 'bridge', accessPortLines(port, vlan, vids), { op: `move ${port} to vlan ${vlan}` });
      return;
    }
    if (master === kb) return;
    const info = await this.info(kb);
    if (info.ports + 1 > BRIDGE_MAX_PORTS) throw this.fullError(kb, { bridge, port, vlan });
    const create = await this.createLines(kb, bridge, info, this.filtered(vlan));
    const made = info.made === true;
    const isolate = this.toIsolate(kb, info) ? [kb] : [];
    const lines = isolate.map(upLine);
    if (master !== undefined) lines.push(`link set ${port} nomaster`);
    lines.push(`link set ${port} master ${kb} up`);
    await this.createIsolated(create, isolate, lines, `move ${port} to ${kb}`);
    if (made && this.uplinks) await this.addUplinks(this.uplinks.createLines(bridge, this.filtered(vlan) ? undefined : vlan, kb));
    if (this.filtered(vlan)) {
      const trunked = this.uplinks?.vlanLines(bridge, vlan) ?? [];
      await runBatch(this.host, 'bridge', [...accessPortLines(port, vlan, [info.defaultPvid]), ...trunked], { op: `move ${port} to vlan ${vlan}` });
    }
    if (master !== undefined) await this.removeKernelBridgesIfUnused([master]);
  }

  async removePort(_bridge: string, port: string): Promise<void> {
    const master = await this.masterOf(port);
    if (master === undefined) return;
    await runBatch(this.host, 'ip', [`link set ${port} nomaster`], { op: `disconnect ${port} from ${master}` });
  }

  async removeBridgeIfUnused(bridge: string): Promise<boolean> {
    const mine = [...this.owned].filter(([, logical]) => logical === bridge).map(([kb]) => kb);
    return this.removeKernelBridgesIfUnused(mine);
  }

  async ownedBridges(): Promise<string[]> {
    return [...this.owned.keys()].sort();
  }

  /** Deletes each of `kbs` that we own and that has no port; forgets the ones already gone. */
  async removeKernelBridgesIfUnused(kbs: readonly string[]): Promise<boolean> {
    const del: string[] = [];
    const lines: string[] = [];
    for (const kb of kbs) {
      const logical = this.owned.get(kb);
      if (logical === undefined) continue;
      if (!(await this.host.exists(`${SYS_NET}/${kb}`))) {
        this.owned.delete(kb);
        this.isolated.delete(kb);
        continue;
      }
      // Uplinks (trunks) are no users: a bridge with only them left goes, and they with it.
      const vlan = this.vlanOf(kb, logical);
      const uplinks = new Set(this.uplinks?.ports(logical, vlan) ?? []);
      if ((await this.host.readdir(`${SYS_NET}/${kb}/${BRIF}`)).every((p) => uplinks.has(p))) {
        del.push(kb);
        lines.push(...(this.uplinks?.removeLines(logical, vlan) ?? []), `link del ${kb}`);
      }
    }
    await runBatch(this.host, 'ip', lines, { op: 'remove bridges', force: true });
    for (const kb of del) {
      this.owned.delete(kb);
      this.isolated.delete(kb);
    }
    return del.length > 0;
  }

  /** The VLAN kernel bridge `kb` of `logical` carries; undefined for a vlan-filtering bridge (all of them). */
  vlanOf(kb: string, logical: string): number | undefined {
    if (this.mode === 'vlan-filtering' && kb === logical) return undefined;
    const v = Number(kb.slice(kb.lastIndexOf('.') + 1));
    return Number.isInteger(v) ? v : undefined;
  }

  private async createLines(kb: string, logical: string, info: KernelBridgeInfo, filtering: boolean): Promise<string[]> {
    if (info.exists) {
      // Someone else's bridge (or ours from before a restart): never recreate. Ours may be made to
      // filter VLANs; a host bridge is left as its owner set it up (review I3: turning filtering on
      // under a bridge that carries tagged traffic would cut that traffic off).
      if (filtering && !info.filtering && !this.owned.has(kb)) {
        throw new EngineError(
          'E_CONFIG',
          `bridge \`${kb}\` is not nanomega's and does not filter VLANs: turn it on yourself if that is safe for what it carries (ip link set ${kb} type bridge vlan_filtering 1)`,
          { field: 'net.bridge', value: kb },
        );
      }
      if (filtering && !info.filtering) {
        info.filtering = true;
        return [`link set ${kb} type bridge vlan_filtering 1`];
      }
      return [];
    }
    this.owned.set(kb, logical); // recorded before creation so a crash half-way still cleans it up
    info.exists = true;
    info.made = true;
    info.filtering = filtering;
    info.defaultPvid = filtering ? 1 : 0;
    const type = filtering ? `${BRIDGE_TYPE} vlan_filtering 1` : BRIDGE_TYPE;
    // Up only once bridge-isolation.ts has taken the host off it (the plan's caller does both).
    return [`link add name ${kb} ${type}`, `link set ${kb} alias "${markOf(this.tag, `bridge ${logical}`)}"`];
  }

  private async info(kb: string): Promise<KernelBridgeInfo> {
    const base = `${SYS_NET}/${kb}`;
    if (!(await this.host.exists(base))) return { exists: false, filtering: false, defaultPvid: 0, ports: 0 };
    if (!(await this.host.exists(`${base}/bridge`))) {
      throw new EngineError('E_CONFIG', `${kb} exists and is not a bridge`, { field: 'net.bridge', value: kb });
    }
    const filtering = (await this.readNum(`${base}/${VLAN_FILTERING}`)) === 1;
    const defaultPvid = filtering ? await this.readNum(`${base}/${DEFAULT_PVID}`) : 1;
    const ports = (await this.host.readdir(`${base}/${BRIF}`)).length;
    return { exists: true, filtering, defaultPvid, ports };
  }

  private async readNum(path: string): Promise<number> {
    if (!(await this.host.exists(path))) return 0;
    return Number((await this.host.readFile(path)).trim()) || 0;
  }

  private async masterOf(port: string): Promise<string | undefined> {
    const target = await this.host.readlink(`${SYS_NET}/${port}/${MASTER}`);
    return target === undefined ? undefined : target.split('/').pop();
  }

  private async portVids(port: string): Promise<number[]> {
    const out = await runOne(this.host, ['bridge', '-j', 'vlan', 'show', 'dev', port], 'read port vlans', port);
    const data = JSON.parse(out || '[]') as { vlans?: { vlan: number }[] }[];
    return data.flatMap((d) => (d.vlans ?? []).map((v) => v.vlan));
  }

  private fullError(kb: string, p: PortPlan): EngineError {
    return new EngineError(
      'E_HOST',
      `attach ${p.port}: bridge ${kb} is full: the Linux bridge takes at most ${BRIDGE_MAX_PORTS} ports; ` +
        `put more NICs on another bridge (vm config net BRIDGE,VLAN)`,
      { op: 'attach', path: kb, limit: BRIDGE_MAX_PORTS },
    );
  }
}
