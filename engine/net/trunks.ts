/**
 * Trunks of logical bridges (minimega's `bridge trunk BRIDGE IFACE`): a host interface — a NIC cabled to
 * a switch's trunk port, or a veth — carries every VLAN of the bridge tagged with its 802.1Q VID, so
 * containers on VLAN 101 reach the switch's VLAN 101 and nothing else.
 *
 * - vlan-filtering: IFACE is a port of the bridge with each VID the bridge carries added tagged (no
 *   pvid, not untagged); VIDs that appear later are added as their first port arrives.
 * - bridge-per-vlan: one 802.1Q subinterface per VLAN bridge (`ip link add link IFACE name IFACE.V type
 *   vlan id V`), an ordinary port of that bridge: the kernel's 8021q driver tags what the bridge sends
 *   out of it and hands it what arrives with tag V. Made as each VLAN bridge is made, deleted with it.
 *   Without CONFIG_VLAN_8021Q there is no such device and no trunk (checked when one is asked for).
 * - Open vSwitch: IFACE is a port with no tag, which Open vSwitch treats as a trunk of every VLAN.
 *
 * VLANs 0 and 4095 are no 802.1Q VID: a trunk does not carry them. IFACE itself is never changed
 * (no alias, address or up/down of ours): the subinterfaces pass frames only while it is up, as a
 * cabled NIC is. Records (bridges.json) outlive the daemon; the subinterfaces carry our alias, so
 * nuke removes them and a restart tells ours from strays.
 */
import { join } from 'node:path';
import { EngineError, configError } from '../errors.js';
import { logError } from '../log.js';
import { markOf, type BridgeUplinks } from './bridge-backend.js';
import { runBatch, SYS_NET } from './ip.js';
import { perVlanName } from './linux-bridge.js';
import type { NetHost } from './net-host.js';
import { checkIfname } from './netspec.js';
import type { NetCore } from './network-types.js';
import { ovsTunnelArgs, tunnelDev, tunnelLines, tunnelRequest, type TunnelRecord } from './trunks-tunnel.js';

/** `<base>/bridges.json`: the bridges `bridge` commands named, their trunks and settings. */
const STATE_FILE = 'bridges.json';
const VID_MIN = 1;
const VID_MAX = 4094;
/** ARPHRD_ETHER (include/uapi/linux/if_arp.h): only Ethernet devices take 802.1Q children. */
const ARPHRD_ETHER = 1;

export interface BridgeRecord {
  trunks: string[];
  /** `bridge tunnel` tunnels (trunks-tunnel.ts). */
  tunnels: TunnelRecord[];
  /** `bridge config` settings (Open vSwitch only), as minimega keeps them. */
  config: Record<string, string>;
}

interface BridgesStateJSON {
  version: 1;
  bridges: Record<string, BridgeRecord>;
}

/** What trunks need of the Network (kept narrow for the unit tests' fakes). */
export interface TrunkNet {
  taggedLinks(): Promise<{ name: string; kind: string; what: string }[]>;
  ownedByLogical(): Promise<Map<string, string[]>>;
}

/** Name of IFACE's 802.1Q subinterface for `vlan`: `IFACE.V`, hashed like a VLAN bridge when over 15 chars. */
export function trunkSubName(iface: string, vlan: number): string {
  return perVlanName(iface, vlan);
}

export function isVid(vlan: number | undefined): vlan is number {
  return vlan !== undefined && vlan >= VID_MIN && vlan <= VID_MAX;
}

/** Alias of a trunk's subinterfaces. */
export function trunkMark(tag: string, bridge: string, iface: string): string {
  return markOf(tag, `trunk ${bridge} ${iface}`);
}

/** `ip -batch` lines that make IFACE's subinterface for `vlan` and put it on kernel bridge `kb`. */
export function subinterfaceLines(tag: string, bridge: string, iface: string, vlan: number, kb: string): string[] {
  const sub = trunkSubName(iface, vlan);
  return [
    `link add link ${iface} name ${sub} type vlan id ${vlan}`,
    `link set ${sub} alias "${trunkMark(tag, bridge, iface)}"`,
    `link set ${sub} master ${kb} up`,
  ];
}

/** The VLAN a kernel bridge of `logical` carries: undefined for a vlan-filtering bridge (named as the logical one). */
export function vlanOfKernelBridge(kb: string, logical: string, mode: string): number | undefined {
  if (mode === 'vlan-filtering' && kb === logical) return undefined;
  const v = Number(kb.slice(kb.lastIndexOf('.') + 1));
  return Number.isInteger(v) ? v : undefined;
}

function trunkError(message: string, detail: Record<string, string>): EngineError {
  return new EngineError('E_CONFIG', message, { op: 'bridge trunk', ...detail });
}

/** The bridges `bridge` commands named and their trunks. Kernel work runs under the Network's lock. */
export class Trunks implements BridgeUplinks {
  private readonly bridges = new Map<string, BridgeRecord>();
  private readonly path: string;
  private tag = '';
  private has8021q?: boolean;

  constructor(
    private readonly net: NetHost,
    base: string,
  ) {
    this.path = join(base, STATE_FILE);
  }

  // ---- BridgeUplinks (called by the Linux bridge backend as kernel bridges come and go) ----

  ports(logical: string, vlan: number | undefined): string[] {
    const rec = this.bridges.get(logical);
    if (!rec || (vlan !== undefined && !isVid(vlan))) return [];
    const trunks = vlan === undefined ? [...rec.trunks] : rec.trunks.map((i) => trunkSubName(i, vlan));
    return [...trunks, ...rec.tunnels.map((t) => tunnelDev(t, vlan))];
  }

  createLines(logical: string, vlan: number | undefined, kb: string): string[] {
    const rec = this.bridges.get(logical);
    if (!rec || (vlan !== undefined && !isVid(vlan))) return [];
    const trunks =
      vlan === undefined ? rec.trunks.map((i) => `link set ${i} master ${kb}`) : rec.trunks.flatMap((i) => subinterfaceLines(this.tag, logical, i, vlan, kb));
    return [...trunks, ...rec.tunnels.flatMap((t) => tunnelLines(this.tag, logical, t, vlan, kb))];
  }

  removeLines(logical: string, vlan: number | undefined): string[] {
    // A filtering bridge's trunks are the user's interfaces: released with it, never deleted.
    if (vlan === undefined) return (this.bridges.get(logical)?.tunnels ?? []).map((t) => `link del ${t.name}`);
    return this.ports(logical, vlan).map((s) => `link del ${s}`);
  }

  vlanLines(logical: string, vlan: number): string[] {
    const rec = this.bridges.get(logical);
    if (!rec || !isVid(vlan)) return [];
    return [...rec.trunks, ...rec.tunnels.map((t) => t.name)].map((i) => `vlan add dev ${i} vid ${vlan}`);
  }

  /** Reads bridges.json (the Network calls it as it loads, with its alias tag). */
  async load(tag: string): Promise<void> {
    this.tag = tag;
    if (!(await this.net.exists(this.path))) return;
    try {
      const s = JSON.parse(await this.net.readFile(this.path)) as Partial<BridgesStateJSON>;
      for (const [name, r] of Object.entries(s.bridges ?? {})) {
        this.bridges.set(name, {
          trunks: Array.isArray(r.trunks) ? r.trunks.filter((t) => typeof t === 'string') : [],
          tunnels: Array.isArray(r.tunnels) ? r.tunnels.filter((t) => t && typeof t.name === 'string') : [],
          config: { ...(r.config ?? {}) },
        });
      }
    } catch (e) {
      logError(`bridge records ${this.path} unreadable (starting with none)`, e);
    }
  }

  // ---- commands (each under the Network's lock) ----

  /** Bridges named by `bridge` commands, with their records. */
  records(): Map<string, BridgeRecord> {
    return new Map([...this.bridges].map(([k, v]) => [k, { trunks: [...v.trunks].sort(), tunnels: [...v.tunnels], config: { ...v.config } }]));
  }

  /** `bridge trunk BRIDGE IFACE`. */
  async add(core: NetCore, net: TrunkNet, bridge: string, iface: string): Promise<void> {
    checkIfname(bridge, 'bridge');
    checkIfname(iface, 'interface');
    const rec = this.record(bridge);
    if (rec.trunks.includes(iface)) throw trunkError(`bridge already trunking to ${iface}`, { bridge, interface: iface });
    for (const [other, r] of this.bridges) {
      if (r.trunks.includes(iface)) throw trunkError(`interface ${iface} is already a trunk of bridge ${other}`, { bridge, interface: iface });
    }
    await this.checkInterface(net, iface);
    const backend = core.backend;
    if (backend.kind === 'ovs') {
      await backend.ensureBridge(bridge);
      await this.ovs(['--may-exist', 'add-port', bridge, iface], `bridge trunk ${bridge} ${iface}`, iface);
      rec.trunks.push(iface);
      await this.save();
      return;
    }
    const kbs = (await net.ownedByLogical()).get(bridge) ?? [];
    const lines: string[] = [];
    const vlanLines: string[] = [];
    if (backend.mode === 'vlan-filtering') {
      // The logical bridge is one kernel bridge; made now so the trunk has something to be a port of.
      await backend.ensureBridge(bridge);
      lines.push(`link set ${iface} master ${bridge}`);
      vlanLines.push(...(await this.taggedPortLines(bridge, iface)));
    } else {
      const vids = kbs.map((kb) => [kb, vlanOfKernelBridge(kb, bridge, backend.mode)] as const).filter(([, v]) => isVid(v));
      await this.require8021q(iface);
      for (const [kb, vlan] of vids) {
        if (!(await this.net.exists(`${SYS_NET}/${kb}`))) continue;
        const sub = trunkSubName(iface, vlan!);
        if (await this.net.exists(`${SYS_NET}/${sub}`)) {
          throw trunkError(`bridge trunk ${bridge} ${iface}: interface ${sub} already exists on this host`, { bridge, interface: iface, path: sub });
        }
        lines.push(...subinterfaceLines(this.tag, bridge, iface, vlan!, kb));
      }
    }
    rec.trunks.push(iface);
    await this.save();
    try {
      await runBatch(this.net, 'ip', lines, { op: `bridge trunk ${bridge} ${iface}` });
      await runBatch(this.net, 'bridge', vlanLines, { op: `bridge trunk ${bridge} ${iface}` });
    } catch (e) {
      await this.takeDown(core, net, bridge, iface).catch(() => undefined);
      rec.trunks = rec.trunks.filter((t) => t !== iface);
      await this.save();
      throw e;
    }
  }

  /** `bridge notrunk BRIDGE IFACE`. */
  async remove(core: NetCore, net: TrunkNet, bridge: string, iface: string): Promise<void> {
    const rec = this.bridges.get(bridge);
    if (!rec || !rec.trunks.includes(iface))
      throw new EngineError('E_NOT_FOUND', `unknown trunk: ${iface}`, { op: 'bridge notrunk', bridge, interface: iface });
    await this.takeDown(core, net, bridge, iface);
    rec.trunks = rec.trunks.filter((t) => t !== iface);
    await this.save();
    if (await core.backend.removeBridgeIfUnused(bridge)) await core.save();
  }

  /** `bridge tunnel vxlan|gre BRIDGE REMOTE [KEY]`: returns the tunnel's name. */
  async addTunnel(core: NetCore, net: TrunkNet, type: string, bridge: string, remote: string, key?: string): Promise<string> {
    checkIfname(bridge, 'bridge');
    const backend = core.backend;
    const perVlan = backend.kind === 'linux' && backend.mode === 'bridge-per-vlan';
    const t = tunnelRequest('', type, remote, key, perVlan);
    t.name = core.nextTapName(); // minimega names tunnels from its tap counter
    await core.save();
    const rec = this.record(bridge);
    const op = `bridge tunnel ${type} ${bridge} ${remote}`;
    if (backend.kind === 'ovs') {
      await backend.ensureBridge(bridge);
      await this.ovs(ovsTunnelArgs(bridge, t), op, t.name);
      rec.tunnels.push(t);
      await this.save();
      return t.name;
    }
    const lines: string[] = [];
    const vlanLines: string[] = [];
    if (!perVlan) {
      await backend.ensureBridge(bridge);
      lines.push(...tunnelLines(this.tag, bridge, t, undefined, bridge));
      vlanLines.push(...(await this.taggedPortLines(bridge, t.name)));
    } else {
      for (const kb of (await net.ownedByLogical()).get(bridge) ?? []) {
        const vlan = vlanOfKernelBridge(kb, bridge, backend.mode);
        if (isVid(vlan) && (await this.net.exists(`${SYS_NET}/${kb}`))) lines.push(...tunnelLines(this.tag, bridge, t, vlan, kb));
      }
    }
    rec.tunnels.push(t);
    await this.save();
    try {
      await runBatch(this.net, 'ip', lines, { op });
      await runBatch(this.net, 'bridge', vlanLines, { op });
    } catch (e) {
      await this.takeDownTunnel(core, net, bridge, t.name).catch(() => undefined);
      rec.tunnels = rec.tunnels.filter((x) => x !== t);
      await this.save();
      throw e;
    }
    return t.name;
  }

  /** `bridge notunnel BRIDGE NAME`. */
  async removeTunnel(core: NetCore, net: TrunkNet, bridge: string, name: string): Promise<void> {
    const rec = this.bridges.get(bridge);
    if (!rec || !rec.tunnels.some((t) => t.name === name))
      throw new EngineError('E_NOT_FOUND', `unknown tunnel: ${name}`, { op: 'bridge notunnel', bridge, interface: name });
    await this.takeDownTunnel(core, net, bridge, name);
    rec.tunnels = rec.tunnels.filter((t) => t.name !== name);
    await this.save();
    if (await core.backend.removeBridgeIfUnused(bridge)) await core.save();
  }

  private async takeDownTunnel(core: NetCore, net: TrunkNet, bridge: string, name: string): Promise<void> {
    if (core.backend.kind === 'ovs') {
      await this.ovs(['--if-exists', 'del-port', bridge, name], `bridge notunnel ${bridge} ${name}`, name);
      return;
    }
    const mark = `tunnel ${bridge} ${name}`;
    const devs = (await net.taggedLinks()).filter((l) => l.what === mark).map((l) => l.name);
    await runBatch(
      this.net,
      'ip',
      devs.map((d) => `link del ${d}`),
      { op: `bridge notunnel ${bridge} ${name}`, force: true },
    );
  }

  /** `bridge config BRIDGE K=V`: an Open vSwitch bridge setting. */
  async config(core: NetCore, bridge: string, setting: string): Promise<void> {
    checkIfname(bridge, 'bridge');
    const eq = setting.indexOf('=');
    if (eq <= 0) throw configError('config', setting, 'expected key=value');
    if (core.backend.kind !== 'ovs') {
      throw configError(
        'config',
        setting,
        `bridge config ${bridge}: settings are Open vSwitch bridge options (ovs-vsctl set bridge); this host uses the Linux bridge (${core.backend.mode}), which has none`,
      );
    }
    await core.backend.ensureBridge(bridge);
    await this.ovs(['set', 'bridge', bridge, setting], `bridge config ${bridge}`, bridge);
    this.record(bridge).config[setting.slice(0, eq)] = setting.slice(eq + 1);
    await this.save();
  }

  /** `bridge destroy BRIDGE` (the caller checked nothing uses it): its trunks and record go. */
  async forget(core: NetCore, net: TrunkNet, bridge: string): Promise<void> {
    for (const iface of [...(this.bridges.get(bridge)?.trunks ?? [])]) await this.remove(core, net, bridge, iface);
    for (const t of [...(this.bridges.get(bridge)?.tunnels ?? [])]) await this.removeTunnel(core, net, bridge, t.name);
    this.bridges.delete(bridge);
    await this.save();
  }

  /** Whether `bridge` was named by a `bridge` command. */
  known(bridge: string): boolean {
    return this.bridges.has(bridge);
  }

  /** Records that `bridge` is one of ours to list (a `bridge trunk` that failed still named it, as minimega's getBridge does). */
  async name(bridge: string): Promise<void> {
    checkIfname(bridge, 'bridge');
    if (this.bridges.has(bridge)) return;
    this.record(bridge);
    await this.save();
  }

  /**
   * After a daemon restart: each recorded trunk gets the subinterfaces of VLAN bridges made while the
   * daemon was away (none are) or lost; tagged subinterfaces no record owns are deleted.
   */
  async reconcile(core: NetCore, net: TrunkNet): Promise<string[]> {
    const notes: string[] = [];
    const links = await net.taggedLinks();
    const wanted = new Set<string>();
    const lines: string[] = [];
    const owned = await net.ownedByLogical();
    if (core.backend.kind === 'linux') {
      for (const [bridge, rec] of this.bridges) {
        for (const t of rec.tunnels) {
          for (const kb of owned.get(bridge) ?? []) {
            const vlan = vlanOfKernelBridge(kb, bridge, core.backend.mode);
            if (vlan !== undefined && !isVid(vlan)) continue;
            const dev = tunnelDev(t, vlan);
            wanted.add(dev);
            if (!(await this.net.exists(`${SYS_NET}/${dev}`)) && (await this.net.exists(`${SYS_NET}/${kb}`)))
              lines.push(...tunnelLines(this.tag, bridge, t, vlan, kb));
          }
        }
      }
    }
    if (core.backend.kind === 'linux' && core.backend.mode === 'bridge-per-vlan') {
      for (const [bridge, rec] of this.bridges) {
        for (const iface of rec.trunks) {
          if (!(await this.net.exists(`${SYS_NET}/${iface}`))) {
            notes.push(`trunk ${iface} of bridge ${bridge}: the interface is gone (kept: it carries VLANs again when it is back and a VLAN bridge is made)`);
            continue;
          }
          for (const kb of owned.get(bridge) ?? []) {
            const vlan = vlanOfKernelBridge(kb, bridge, core.backend.mode);
            if (!isVid(vlan)) continue;
            const sub = trunkSubName(iface, vlan);
            wanted.add(sub);
            if (!(await this.net.exists(`${SYS_NET}/${sub}`)) && (await this.net.exists(`${SYS_NET}/${kb}`)))
              lines.push(...subinterfaceLines(this.tag, bridge, iface, vlan, kb));
          }
        }
      }
    }
    const stray = links.filter((l) => l.kind === 'trunk' && !wanted.has(l.name)).map((l) => l.name);
    if (stray.length) notes.push(`removed unrecorded trunk subinterfaces ${stray.join(', ')}`);
    await runBatch(
      this.net,
      'ip',
      stray.map((s) => `link del ${s}`),
      { op: 'reconcile trunks', force: true },
    );
    await runBatch(this.net, 'ip', lines, { op: 'reconcile trunks', force: true }).catch((e: unknown) => notes.push(`trunks: ${(e as Error).message}`));
    return notes;
  }

  /** `nuke`: the records (the subinterfaces carry our tag and go with the network's links). */
  async nuke(): Promise<void> {
    this.bridges.clear();
    await this.save();
  }

  // ---- internals ----

  private record(bridge: string): BridgeRecord {
    let rec = this.bridges.get(bridge);
    if (!rec) {
      rec = { trunks: [], tunnels: [], config: {} };
      this.bridges.set(bridge, rec);
    }
    return rec;
  }

  /** Refuses what cannot be a trunk, naming it: a missing device, a bridge, one of ours, another bridge's port. */
  private async checkInterface(net: TrunkNet, iface: string): Promise<void> {
    const dir = `${SYS_NET}/${iface}`;
    if (!(await this.net.exists(dir))) throw trunkError(`bridge trunk: no interface ${iface} on this host`, { interface: iface });
    if (await this.net.exists(`${dir}/bridge`)) throw trunkError(`bridge trunk: ${iface} is a bridge; trunk a NIC or veth instead`, { interface: iface });
    const ours = (await net.taggedLinks()).find((l) => l.name === iface);
    if (ours) {
      const what = ours.kind === 'tap' ? "a container's tap" : ours.kind === 'host' ? 'a host tap' : ours.kind === 'trunk' ? 'a trunk subinterface' : ours.kind;
      throw trunkError(`bridge trunk: ${iface} is ${what} of nanomega, not a host interface`, { interface: iface });
    }
    const master = await this.net.readlink(`${dir}/master`);
    if (master !== undefined) throw trunkError(`bridge trunk: ${iface} is already a port of ${master.split('/').pop()}`, { interface: iface });
    const type = Number((await this.net.readFile(`${dir}/type`).catch(() => '')).trim());
    if (type !== ARPHRD_ETHER) throw trunkError(`bridge trunk: ${iface} is not an Ethernet interface (type ${type}); 802.1Q needs one`, { interface: iface });
  }

  /** `bridge -batch` lines making `port` of a vlan-filtering bridge carry each of its VIDs tagged, and nothing untagged. */
  private async taggedPortLines(bridge: string, port: string): Promise<string[]> {
    const lines: string[] = [];
    const pvid = Number((await this.net.readFile(`${SYS_NET}/${bridge}/bridge/default_pvid`).catch(() => '0')).trim()) || 0;
    // The default pvid would put the far side's untagged frames on a VLAN of ours.
    if (pvid) lines.push(`vlan del dev ${port} vid ${pvid}`);
    for (const vlan of await this.bridgeVids(bridge)) lines.push(`vlan add dev ${port} vid ${vlan}`);
    return lines;
  }

  /** VIDs with ports on a vlan-filtering bridge now. */
  private async bridgeVids(bridge: string): Promise<number[]> {
    const r = await this.net.run(['bridge', '-j', 'vlan', 'show']);
    if (r.code !== 0) return [];
    const data = JSON.parse(r.stdout || '[]') as { ifname: string; vlans?: { vlan: number }[] }[];
    const ports = new Set(await this.net.readdir(`${SYS_NET}/${bridge}/brif`));
    const vids = new Set<number>();
    for (const d of data) if (ports.has(d.ifname)) for (const v of d.vlans ?? []) if (isVid(v.vlan)) vids.add(v.vlan);
    return [...vids].sort((a, b) => a - b);
  }

  /** Whether the kernel makes 802.1Q devices: once per daemon, on a veth pair of its own. */
  private async kernelHas8021q(): Promise<boolean> {
    if (this.has8021q !== undefined) return this.has8021q;
    const a = `nmq${process.pid % 100000}a`;
    const made = await this.net.run(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', `nmq${process.pid % 100000}b`]);
    if (made.code !== 0) return false;
    const vlan = await this.net.run(['ip', 'link', 'add', 'link', a, 'name', `${a}.2`, 'type', 'vlan', 'id', '2']);
    await this.net.run(['ip', 'link', 'del', a]);
    this.has8021q = vlan.code === 0;
    return this.has8021q;
  }

  private async require8021q(iface: string): Promise<void> {
    if (await this.kernelHas8021q()) return;
    throw new EngineError(
      'E_CONFIG',
      `bridge trunk: this kernel has no 802.1Q VLAN devices (CONFIG_VLAN_8021Q) and no bridge VLAN filtering: it cannot tag frames for ${iface}`,
      { op: 'bridge trunk', interface: iface },
    );
  }

  /** Takes a trunk's kernel objects away: subinterfaces, a filtering bridge's port, an OVS port. */
  private async takeDown(core: NetCore, net: TrunkNet, bridge: string, iface: string): Promise<void> {
    if (core.backend.kind === 'ovs') {
      await this.ovs(['--if-exists', 'del-port', bridge, iface], `bridge notrunk ${bridge} ${iface}`, iface);
      return;
    }
    const mark = `trunk ${bridge} ${iface}`;
    const subs = (await net.taggedLinks()).filter((l) => l.kind === 'trunk' && l.what === mark).map((l) => l.name);
    const lines = subs.map((s) => `link del ${s}`);
    const master = await this.net.readlink(`${SYS_NET}/${iface}/master`);
    if (master !== undefined && master.split('/').pop() === bridge) lines.push(`link set ${iface} nomaster`);
    await runBatch(this.net, 'ip', lines, { op: `bridge notrunk ${bridge} ${iface}`, force: true });
  }

  private async ovs(args: string[], op: string, dev: string): Promise<void> {
    const r = await this.net.run(['ovs-vsctl', ...args]);
    if (r.code !== 0) throw new EngineError('E_HOST', `${op}: ${dev}: ${r.stderr.trim() || `ovs-vsctl exited ${r.code}`}`, { op, path: dev });
  }

  private async save(): Promise<void> {
    const s: BridgesStateJSON = { version: 1, bridges: Object.fromEntries(this.bridges) };
    await this.net.writeFileAtomic(this.path, JSON.stringify(s, null, 1));
  }
}
