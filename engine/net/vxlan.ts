/**
 * Cross-host VLANs: one VXLAN device per VLAN that has members here and on other hosts, as an access
 * port of that VLAN on the bridge (a vlan-filtering bridge's VID, or the VLAN's own bridge in the
 * per-VLAN fallback), so frames of the VLAN leave and enter this host through the tunnel only. The
 * VNI is the VLAN id; there is no multicast underlay: the device sends broadcast, unknown unicast and
 * multicast to each other member host by head-end replication (an all-zeros FDB entry per remote
 * endpoint, `bridge fdb append`) and learns where unicast MACs live from what arrives.
 *
 * VXLAN adds 50 bytes (outer Ethernet 14, IPv4 20, UDP 8, VXLAN 8; 70 over IPv6) to every frame,
 * so the device's MTU is the underlay's minus that and the containers' NICs are made no larger
 * (Network.setMtu): a bridge drops, it does not fragment, a frame larger than the port it leaves by.
 */
import { logError } from '../log.js';
import { runBatch, SYS_NET } from './ip.js';
import type { Network } from './network.js';
import type { NetHost } from './net-host.js';

/** IANA's VXLAN port (the kernel's default is the pre-standard 8472). */
export const VXLAN_PORT = 4789;
/** Outer headers VXLAN adds to a frame: Ethernet 14, IPv4 20 (IPv6 40), UDP 8, VXLAN 8. */
export const VXLAN_OVERHEAD = 50;
const VXLAN_OVERHEAD_V6 = 70;
/** Device name prefix: `nmvx101` (at most 15 characters for VLAN 4094). */
const PREFIX = 'nmvx';
const ZERO_MAC = '00:00:00:00:00:00';

export function vxlanName(vlan: number): string {
  return `${PREFIX}${vlan}`;
}

/** The MTU of a tunnel from `local` over an underlay of MTU `underlay`. */
export function vxlanMtu(underlay: number, local: string): number {
  return underlay - (local.includes(':') ? VXLAN_OVERHEAD_V6 : VXLAN_OVERHEAD);
}

/** `ip link add` of a tunnel device (learning on: unicast goes straight to the host that has the MAC). */
export function vxlanCreateLines(vlan: number, local: string, mtu: number): string[] {
  const dev = vxlanName(vlan);
  return [`link add ${dev} mtu ${mtu} type vxlan id ${vlan} local ${local} dstport ${VXLAN_PORT}`];
}

/** The head-end replication entries to add and to remove to go from `have` to `want` endpoints. */
export function fdbLines(vlan: number, have: ReadonlySet<string>, want: ReadonlySet<string>): string[] {
  const dev = vxlanName(vlan);
  const out: string[] = [];
  for (const ip of want) if (!have.has(ip)) out.push(`fdb append ${ZERO_MAC} dev ${dev} dst ${ip}`);
  for (const ip of have) if (!want.has(ip)) out.push(`fdb del ${ZERO_MAC} dev ${dev} dst ${ip}`);
  return out;
}

/** The tunnels of one host: what exists, made to match what the cluster wants. */
export class VxlanTunnels {
  /** VLAN → remote endpoints of its device's replication list. */
  private readonly devices = new Map<number, Set<string>>();

  constructor(
    private readonly host: NetHost,
    private readonly network: Network,
    private readonly bridge: string,
    private readonly local: string,
    private readonly mtu: number,
  ) {}

  /** VLANs with a tunnel now. */
  vlans(): number[] {
    return [...this.devices.keys()].sort((a, b) => a - b);
  }

  /**
   * Make the tunnels exactly `want` (VLAN → remote endpoints; a VLAN with none gets no tunnel). Each VLAN
   * is done on its own: one that fails is logged and tried again by the next sync.
   */
  async sync(want: ReadonlyMap<number, ReadonlySet<string>>): Promise<void> {
    for (const vlan of [...this.devices.keys()]) {
      if (!want.get(vlan)?.size) await this.guard(vlan, () => this.remove(vlan));
    }
    for (const [vlan, remotes] of want) {
      if (remotes.size) await this.guard(vlan, () => this.ensure(vlan, remotes));
    }
  }

  private async guard(vlan: number, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      logError(`vxlan: VLAN ${vlan}`, e);
    }
  }

  private async ensure(vlan: number, remotes: ReadonlySet<string>): Promise<void> {
    const dev = vxlanName(vlan);
    let have = this.devices.get(vlan);
    if (!have && (await this.host.exists(`${SYS_NET}/${dev}`))) {
      // A device an earlier daemon made (it crashed or restarted): kept, so traffic goes on, when it is
      // still a bridge port of the right MTU; made again otherwise.
      have = await this.adopt(dev);
      if (have) this.devices.set(vlan, have);
      else await runBatch(this.host, 'ip', [`link del ${dev}`], { op: `replace ${dev}`, force: true });
    }
    if (!have) {
      await this.network.exclusive(async (core) => {
        await core.backend.addPorts([{ bridge: this.bridge, port: dev, vlan }], vxlanCreateLines(vlan, this.local, this.mtu));
        await core.save(); // the bridge may be new
      });
      have = new Set();
      this.devices.set(vlan, have);
    }
    const lines = fdbLines(vlan, have, remotes);
    if (lines.length === 0) return;
    await runBatch(this.host, 'bridge', lines, { op: `replicate ${dev}` });
    this.devices.set(vlan, new Set(remotes));
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

  private async remove(vlan: number): Promise<void> {
    const dev = vxlanName(vlan);
    await this.network.exclusive(async (core) => {
      await runBatch(this.host, 'ip', [`link del ${dev}`], { op: `remove ${dev}`, force: true });
      if (await core.backend.removeBridgeIfUnused(this.bridge)) await core.save();
    });
    this.devices.delete(vlan);
  }

  /** Remove every tunnel (the daemon leaves the cluster). */
  async close(): Promise<void> {
    await this.sync(new Map());
  }
}
