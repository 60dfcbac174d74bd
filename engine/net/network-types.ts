/** The shapes the network deals in: its options, its records and net.json, and what its calls take and give. */
import type { NetSpec, NicInfo } from '../api/types.js';
import type { EngineError } from '../errors.js';
import type { BridgeBackend, BridgeUplinks } from './bridge-backend.js';
import type { LinuxBridgeMode } from './linux-bridge.js';
import type { NetHost } from './net-host.js';
import type { VlanAliases, VlanAliasesJSON } from './vlans.js';

export interface NetworkOptions {
  stateDir: string;
  backend?: 'linux' | 'ovs';
  host?: NetHost;
  /** Host end name prefix (tests use their own so they never touch real taps). */
  tapPrefix?: string;
  /** Bridge for NetSpecs with bridge ''. */
  defaultBridge?: string;
  /** Skip the probe (tests, doctor). */
  linuxMode?: LinuxBridgeMode;
  /** Trunks of the bridges (trunks.ts), loaded with the network. */
  uplinks?: BridgeUplinks & { load(tag: string): Promise<void> };
}

export interface NicRecord {
  index: number;
  tap: string;
  ifname: string;
  mac: string;
  bridge: string;
  /** As the user wrote it ("LAN", "101"), or 'disconnected'. */
  vlan: string;
  vlanId: number;
  ip: string;
  connected: boolean;
  /** A QinQ tunnel port (Open vSwitch only). */
  qinq?: boolean;
}

export interface ContainerNet {
  pid: number;
  nics: NicRecord[];
}

export interface NetStateJSON {
  version: 1;
  nextTap: number;
  vlans: VlanAliasesJSON;
  bridges: Record<string, string>;
  containers: Record<string, ContainerNet>;
}

/** What host taps (taps.ts) share with container NICs; handed out under the network's lock. */
export interface NetCore {
  readonly backend: BridgeBackend;
  readonly vlans: VlanAliases;
  /** This engine's tag in link aliases. */
  readonly tag: string;
  readonly defaultBridge: string;
  /** The next `mega_tapN`: one counter for container NICs and host taps, as in minimega. */
  nextTapName(): string;
  /** Persists net.json (aliases, owned bridges, the tap counter). */
  save(): Promise<void>;
}

export interface AttachRequest {
  /** `namespace`: where the VLAN aliases of `nics` are looked up (absent: the default one). */
  c: { id: number; nics: NetSpec[]; namespace?: string };
  initPid: number;
}

/** A container of an attach with the NIC records planned for it. */
export interface PlannedAttach {
  req: AttachRequest;
  nics: NicRecord[];
}

/** The container end of one NIC, as the container has to set it up: `ifname` up, `ip` (CIDR or '') added. */
export interface ContainerNic {
  ifname: string;
  ip: string;
}

export interface AttachOptions {
  /**
   * Who sets up the container ends (lo and every vethI up, addresses added): 'nsenter' (the default)
   * runs one `nsenter … ip -batch` per container here; 'caller' leaves it to the caller, which finds
   * what to do in AttachResult.container — launch hands it to the shim's child in CONTINUE, which
   * does it over rtnetlink from inside the namespace, without a process per container.
   */
  containerSide?: 'nsenter' | 'caller';
}

export type AttachResult = { id: number; ok: true; nics: NicInfo[]; container: ContainerNic[] } | { id: number; ok: false; error: EngineError };

export interface NicAddresses {
  ifname: string;
  mac: string;
  ip: string[];
  ip6: string[];
}

export interface NicCounters {
  index: number;
  tap: string;
  /** Bytes the container received (the host end's tx). */
  rxBytes: number;
  /** Bytes the container sent (the host end's rx). */
  txBytes: number;
}
