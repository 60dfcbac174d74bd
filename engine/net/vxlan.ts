/**
 * Cross-host VLANs: one VXLAN device per segment (a bridge's VLAN) that has members here and on other
 * hosts, as an access port of that VLAN on the bridge (a vlan-filtering bridge's VID, or the VLAN's own
 * bridge in the per-VLAN fallback), so frames of the VLAN leave and enter this host through the tunnel
 * only. The VNI is the VLAN id on the default bridge; another bridge's VLANs get VNIs of their own,
 * 4096 × (1 + a hash of the bridge's name mod 4000) + VLAN, the same on every host (two bridges whose
 * names hash alike would share VNIs: 1 in 4000 per pair). There is no multicast underlay: the device
 * sends broadcast, unknown unicast and multicast to each other member host by head-end replication (an
 * all-zeros FDB entry per remote endpoint, `bridge fdb append`) and learns where unicast MACs live from
 * what arrives.
 *
 * VXLAN adds 50 bytes (outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8; 70 over IPv6) to every frame,
 * so the device's MTU is the underlay's minus that and the containers' NICs are made no larger
 * (Network.setMtu): a bridge drops, it does not fragment, a frame larger than the port it leaves by.
 */
import { logError } from '../log.js';
import { DEFAULT_BRIDGE } from './netspec.js';
import { runBatch, SYS_NET } from './ip.js';
import type { Network } from './network.js';
import type { NetHost } from './net-host.js';

/** IANA's VXLAN port (the kernel's default is the pre-standard 8472). */
export const VXLAN_PORT = 4789;
/** Outer headers VXLAN adds to a frame: Ethernet 14, IPv4 20 (IPv6 40), UDP 8, VXLAN 8. */
export const VXLAN_OVERHEAD = 50;
const VXLAN_OVERHEAD_V6 = 70;
/** Device name prefix: `nmvx101`, `nmvx101.2a7` (at most 12 characters; IFNAMSIZ allows 15). */
const PREFIX = 'nmvx';
const ZERO_MAC = '00:00:00:00:00:00';
/** VNI blocks of 4096 for bridges other than the default one. */
const BRIDGE_BLOCKS = 4000;

/** A bridge's VLAN: what one tunnel carries. */
export interface Segment {
  bridge: string;
  vlan: number;
}

/** `BRIDGE/VLAN` (link names have no `/`). */
export function segmentKey(s: Segment): string {
  return `${s.bridge}/${s.vlan}`;
}

export function parseSegment(key: string): Segment {
  const at = key.lastIndexOf('/');
  return { bridge: key.slice(0, at), vlan: Number(key.slice(at + 1)) };
}

/** 0 for the default bridge, else 1…4000 from the bridge's name (FNV-1a), the same on every host. */
export function bridgeBlock(bridge: string): number {
  if (bridge === DEFAULT_BRIDGE) return 0;
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(bridge, 'utf8')) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return 1 + (h % BRIDGE_BLOCKS);
}

export function vxlanVni(s: Segment): number {
  return bridgeBlock(s.bridge) * 4096 + s.vlan;
}

export function vxlanName(s: Segment): string {
  const block = bridgeBlock(s.bridge);
  return block === 0 ? `${PREFIX}${s.vlan}` : `${PREFIX}${s.vlan}.${block.toString(16)}`;
}

/** The MTU of a tunnel from `local` over an underlay of MTU `underlay`. */
export function vxlanMtu(underlay: number, local: string): number {
  return underlay - (local.includes(':') ? VXLAN_OVERHEAD_V6 : VXLAN_OVERHEAD);
}

/** `ip link add` of a tunnel device (learning on: unicast goes straight to the host that has the MAC). */
export function vxlanCreateLines(s: Segment, local: string, mtu: number): string[] {
  return [`link add ${vxlanName(s)} mtu ${mtu} type vxlan id ${vxlanVni(s)} local ${local} dstport ${VXLAN_PORT}`];
}

/** The head-end replication entries of device `dev` to add and to remove to go from `have` to `want` endpoints. */
export function fdbLines(dev: string, have: ReadonlySet<string>, want: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const ip of want) if (!have.has(ip)) out.push(`fdb append ${ZERO_MAC} dev ${dev} dst ${ip}`);
  for (const ip of have) if (!want.has(ip)) out.push(`fdb del ${ZERO_MAC} dev ${dev} dst ${ip}`);
  return out;
}

/** The tunnels of one host: what exists, made to match what the cluster wants. */
export class VxlanTunnels {
  /** Segment key → remote endpoints of its device's replication list. */
  private readonly devices = new Map<string, Set<string>>();

  constructor(
    private readonly host: NetHost,
    private readonly network: Network,
    private readonly local: string,
    private readonly mtu: number,
  ) {}

  /** Segments (`BRIDGE/VLAN`) with a tunnel now. */
  segments(): string[] {
    return [...this.devices.keys()].sort();
  }

  /**
   * Make the tunnels exactly `want` (segment key → remote endpoints; a segment with none gets no
   * tunnel). Each segment is done on its own: one that fails is logged and the others go on. True when
   * every segment is as wanted; false tells the caller to try again.
   */
  async sync(want: ReadonlyMap<string, ReadonlySet<string>>): Promise<boolean> {
    let ok = true;
    for (const key of [...this.devices.keys()]) {
      if (!want.get(key)?.size) ok = (await this.guard(key, () => this.remove(key))) && ok;
    }
    for (const [key, remotes] of want) {
      if (remotes.size) ok = (await this.guard(key, () => this.ensure(key, remotes))) && ok;
    }
    return ok;
  }

  private async guard(key: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      logError(`vxlan: segment ${key}`, e);
      return false;
    }
  }

  private async ensure(key: string, remotes: ReadonlySet<string>): Promise<void> {
    const seg = parseSegment(key);
    const dev = vxlanName(seg);
    let have = this.devices.get(key);
    if (!have && (await this.host.exists(`${SYS_NET}/${dev}`))) {
      // A device an earlier daemon made (it crashed or restarted): kept, so traffic goes on, when it is
      // still a bridge port of the right MTU; made again otherwise.
      have = await this.adopt(dev);
      if (have) this.devices.set(key, have);
      else await runBatch(this.host, 'ip', [`link del ${dev}`], { op: `replace ${dev}`, force: true });
    }
    if (!have) {
      await this.network.exclusive(async (core) => {
        await core.backend.addPorts([{ bridge: seg.bridge, port: dev, vlan: seg.vlan }], vxlanCreateLines(seg, this.local, this.mtu));
        await core.save(); // the bridge may be new
      });
      have = new Set();
      this.devices.set(key, have);
    }
    const lines = fdbLines(dev, have, remotes);
    if (lines.length === 0) return;
    await runBatch(this.host, 'bridge', lines, { op: `replicate ${dev}` });
    this.devices.set(key, new Set(remotes));
  }

  /** The replication list of an existing device (its all-zeros FDB entries), if it can be kept. */
  private async adopt(dev: string): Promise<Set<string> | undefined> {
    if ((await this.host.readlink(`${SYS_NET}/${dev}/master`)) === undefined) return undefined;
    const mtu = Number((await this.host.readFile(`${SYS_NET}/${dev}/mtu`).catch(() => '')).trim());
    if (mtu !== this.mtu) return undefined;
    const r = await this.host.run(['bridge', '-j', 'fdb', 'show', 'dev', dev]);
    if (r.code !== 0) return undefined;
    try {
      const entries = JSON.parse(r.stdout || '[]') as { mac?: string; dst?: string }[];
      return new Set(entries.filter((e) => e.mac === ZERO_MAC && e.dst).map((e) => e.dst!));
    } catch {
      return undefined;
    }
  }

  private async remove(key: string): Promise<void> {
    const seg = parseSegment(key);
    const dev = vxlanName(seg);
    await this.network.exclusive(async (core) => {
      await runBatch(this.host, 'ip', [`link del ${dev}`], { op: `remove ${dev}`, force: true });
      if (await core.backend.removeBridgeIfUnused(seg.bridge)) await core.save();
    });
    this.devices.delete(key);
  }

  /** Remove every tunnel (the daemon leaves the cluster). */
  async close(): Promise<void> {
    await this.sync(new Map()); // Best-effort: a tunnel left behind is logged; the next daemon adopts or replaces it.
  }
}
