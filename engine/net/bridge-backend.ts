/** One container NIC's host end as an access port of `vlan` on logical bridge `bridge`. */
export interface PortPlan {
  bridge: string;
  port: string;
  vlan: number;
  /** A QinQ tunnel port (`vlan` is the outer tag): Open vSwitch only. */
  qinq?: boolean;
}

/**
 * Switches the host ends of container NICs. `bridge` is always the logical bridge a user names
 * (`mega_bridge`); a backend may map it onto several kernel objects (see LinuxBridge's per-VLAN mode).
 * Backends only ever delete bridges they created (`ownedBridges()`).
 */
export interface BridgeBackend {
  readonly kind: 'linux' | 'ovs';
  /** How VLANs are realised, for `doctor` and logs ("vlan-filtering", "bridge-per-vlan", "ovs"). */
  readonly mode: string;
  ensureBridge(name: string): Promise<void>;
  addPort(bridge: string, port: string, vlan: number): Promise<void>;
  /**
   * Adds many ports with as few processes as possible. `prelude` are `ip -batch` lines (veth creation)
   * that must run before the ports are enslaved; a backend runs them in its own first ip batch.
   */
  addPorts(ports: readonly PortPlan[], prelude?: readonly string[]): Promise<void>;
  /** Moves a port (already on some bridge, or detached) to `vlan` on `bridge`. */
  movePort(bridge: string, port: string, vlan: number): Promise<void>;
  /** Takes the port off the bridge, leaving the device. */
  removePort(bridge: string, port: string): Promise<void>;
  /** Deletes the bridge's kernel objects that we created and that have no port left. */
  removeBridgeIfUnused(bridge: string): Promise<boolean>;
  /** Kernel (or OVS) bridges this engine created. */
  ownedBridges(): Promise<string[]>;
  /** Kernel bridge that carries `vlan` of logical `bridge` (what NicInfo.bridge shows is the logical one). */
  kernelBridge(bridge: string, vlan: number): string;
}

/**
 * Ports a logical bridge carries to the outside (trunks.ts): added to each kernel bridge of it as that
 * bridge is made, never counted as users of it (a bridge with only uplinks left is deleted with them).
 * `vlan` is the VLAN a per-VLAN kernel bridge carries; undefined for a vlan-filtering bridge (all VLANs).
 */
export interface BridgeUplinks {
  /** Names of the uplink ports kernel bridge (logical, vlan) has when complete. */
  ports(logical: string, vlan: number | undefined): string[];
  /** `ip -batch` lines that make them and put them on `kb`, just made. Run forced: failures are logged. */
  createLines(logical: string, vlan: number | undefined, kb: string): string[];
  /** `ip -batch` lines that take them away before `kb` is deleted (a filtering bridge's are only released). */
  removeLines(logical: string, vlan: number | undefined): string[];
  /** `bridge -batch` lines that let the uplinks of a vlan-filtering bridge carry `vlan` tagged. */
  vlanLines(logical: string, vlan: number): string[];
}

/** Ownership record shared with Network, which persists it: kernel bridge name → logical bridge. */
export type OwnedBridges = Map<string, string>;

/** The ifalias prefix written on every engine-created link ("nanomega:<tag> …"). */
export const MARK = 'nanomega';

export function markOf(tag: string, what: string): string {
  return `${MARK}:${tag} ${what}`;
}
