/**
 * Tunnels of logical bridges (minimega's `bridge tunnel vxlan|gre BRIDGE REMOTE [KEY]`): the bridge's VLANs
 * carried to another host's bridge inside VXLAN or GRE (gretap: Ethernet over GRE). Pure line generation;
 * trunks.ts keeps the records and runs them.
 *
 * - vlan-filtering and Open vSwitch: one device, VNI (or GRE key) KEY (default 0), a port of the bridge with
 *   every VID tagged: frames keep their 802.1Q tag inside the tunnel, as minimega's Open vSwitch sends them.
 * - bridge-per-vlan: one device per VLAN bridge, `NAME.V`, whose VNI (or GRE key) is KEY×4096 + V, so
 *   frames travel untagged and the id says the VLAN; the other end must be built the same way (another
 *   nanomega on this backend). KEY is then at most 4095 (a VNI has 24 bits).
 * VXLAN uses IANA's port 4789 (as the cluster's tunnels do: a per-VLAN tunnel with KEY 0 has the VNI of
 * the cluster's tunnel of that VLAN, and the kernel refuses a second device with it).
 */
import { configError } from '../errors.js';
import { markOf } from './bridge-backend.js';
import { perVlanName } from './linux-bridge.js';
import { checkIp } from './netspec.js';
import { VXLAN_PORT } from './vxlan.js';

export type TunnelType = 'vxlan' | 'gre';

export interface TunnelRecord {
  /** The tunnel's name (`mega_tapN`, from the tap counter as minimega names them); the device on a single bridge. */
  name: string;
  type: TunnelType;
  remote: string;
  key: number;
}

/** VLAN ids per KEY in the per-VLAN scheme (VID 0–4095). */
const IDS_PER_KEY = 4096;
/** Largest VXLAN VNI / what the per-VLAN scheme leaves for KEY. */
const VNI_MAX = 0xffffff;
const KEY_MAX_PER_VLAN = Math.floor(VNI_MAX / IDS_PER_KEY) - 1;

/** The record `bridge tunnel TYPE BRIDGE REMOTE [KEY]` asks for, or an error naming the bad value. */
export function tunnelRequest(name: string, type: string, remote: string, key: string | undefined, perVlan: boolean): TunnelRecord {
  if (type !== 'vxlan' && type !== 'gre') throw configError('type', type, `bridge tunnel: unknown tunnel type ${type}: want vxlan or gre`);
  if (remote.includes('/')) throw configError('remote', remote, `bridge tunnel: remote ${remote} is a network: want the other host's address`);
  try {
    checkIp(remote, 'remote');
  } catch {
    throw configError('remote', remote, `bridge tunnel: invalid remote ip \`${remote}\`: want the other host's IPv4 or IPv6 address`);
  }
  const max = perVlan ? KEY_MAX_PER_VLAN : type === 'vxlan' ? VNI_MAX : 0xffffffff;
  const k = key === undefined || key === '' ? 0 : Number(key);
  if (!/^[0-9]+$/.test(key ?? '0') || !Number.isSafeInteger(k) || k > max) {
    throw configError('key', key, `bridge tunnel: invalid key ${key}: want 0–${max}${perVlan ? ' (each VLAN takes KEY×4096 + VLAN as its id)' : ''}`);
  }
  return { name, type, remote, key: k };
}

/** The device of tunnel `t` on the kernel bridge of `vlan` (undefined: the one of a vlan-filtering bridge). */
export function tunnelDev(t: TunnelRecord, vlan: number | undefined): string {
  return vlan === undefined ? t.name : perVlanName(t.name, vlan);
}

/** VNI or GRE key of that device. */
export function tunnelId(t: TunnelRecord, vlan: number | undefined): number {
  return vlan === undefined ? t.key : t.key * IDS_PER_KEY + vlan;
}

export function tunnelMark(tag: string, bridge: string, name: string): string {
  return markOf(tag, `tunnel ${bridge} ${name}`);
}

/** `ip -batch` lines that make the device of `t` for `vlan` and put it on kernel bridge `kb`. */
export function tunnelLines(tag: string, bridge: string, t: TunnelRecord, vlan: number | undefined, kb: string): string[] {
  const dev = tunnelDev(t, vlan);
  const id = tunnelId(t, vlan);
  const add =
    t.type === 'vxlan'
      ? `link add ${dev} type vxlan id ${id} remote ${t.remote} dstport ${VXLAN_PORT}`
      : `link add ${dev} type gretap remote ${t.remote} key ${id}`;
  return [add, `link set ${dev} alias "${tunnelMark(tag, bridge, t.name)}"`, `link set ${dev} master ${kb} up`];
}

/** ovs-vsctl arguments of an Open vSwitch tunnel port (minimega's own). */
export function ovsTunnelArgs(bridge: string, t: TunnelRecord): string[] {
  const args = ['add-port', bridge, t.name, '--', 'set', 'interface', t.name, `type=${t.type}`, `options:remote_ip=${t.remote}`];
  if (t.key) args.push(`options:key=${t.key}`);
  return args;
}
