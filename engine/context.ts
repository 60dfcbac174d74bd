import { createHash } from 'node:crypto';
import type { Events } from './api/contract.js';
import type { ContainerId, ContainerInfo } from './api/types.js';
import type { ContainerCgroups, FreezerMode } from './cgroup/cgroup.js';
import type { CgroupLayout } from './cgroup/layout.js';
import type { Host } from './host/host.js';
import type { HostFs } from './rootfs/hostfs.js';
import type { CapturePort } from './net/capture-port.js';
import type { Captures } from './net/captures.js';
import type { Network } from './net/network.js';
import type { QosKernel } from './net/qos-tc.js';
import type { AttachWave } from './net/attach-wave.js';
import type { LayerUnmounts } from './rootfs/layers.js';
import type { TapMirrors } from './net/mirrors.js';
import type { HostTaps } from './net/taps.js';
import type { Trunks } from './net/trunks.js';
import type { DnsmasqServers } from './dhcp/dnsmasq.js';
import type { ContainerRecord, StateStore } from './state/state-store.js';
import type { Shim, ShimControlHandle } from './shim/shim.js';
import type { Namespaces } from './namespace/namespaces.js';
import type { PlumbPort } from './plumb/plumber.js';

export interface EngineOptions {
  /** State directory: sockets, instance directories, engine.json. */
  base: string;
  /** Force a freezer implementation (tests exercise both); default v2 when cgroup2 is mounted. */
  freezer?: FreezerMode;
  /** pids.max per container. */
  pidsMax?: number;
  /** Packet capture effects (tests pass a fake); default tcpdump. */
  capturePort?: CapturePort;
  /** minimega's -filepath: relative host paths of `vm config` resolve under it. Default `<base>/files`. */
  filesDir?: string;
  /** The shim port (default: the real one, LinuxShim on `base`); unit tests pass a FakeShim. */
  shim?: Shim;
  /** Host programs of pipelines and vias (default: the daemon's own processes). */
  plumbPort?: PlumbPort;
}

/** A container the engine knows: its durable record plus live handles. */
export interface Container {
  rec: ContainerRecord;
  cgroups: ContainerCgroups;
  /** Connection to the monitor's control socket while the container lives. */
  control?: ShimControlHandle;
  /** Resolves when the current incarnation's exit has been recorded. */
  exited?: Promise<void>;
  /** How the exit path removes this incarnation's cgroups when not itself: a `vm kill` wave's turn (kill-wave.ts). */
  removeCgroups?: () => Promise<void>;
  /** When ip/ip6 of rec.nics were last read from the container's netns. */
  addressesAt?: number;
  /** Serialises verbs on this container. */
  queue: Promise<unknown>;
}

export type Emit = <K extends keyof Events>(name: K, payload: Events[K]) => void;

export interface EngineContext {
  host: Host;
  opts: Required<Pick<EngineOptions, 'base' | 'pidsMax'>> & EngineOptions;
  layout: CgroupLayout;
  store: StateStore;
  containers: Map<ContainerId, Container>;
  emit: Emit;
  /** The namespaces: records, counters and each one's `vm config`. */
  namespaces: Namespaces;
  /** Bridges, VLAN aliases and veths. */
  network: Network;
  /** Host taps (`tap`). */
  taps: HostTaps;
  /** Bridges named by `bridge` and their trunks. */
  trunks: Trunks;
  /** DHCP/DNS servers (`dnsmasq`). */
  dnsmasq: DnsmasqServers;
  /** Packet captures (`capture pcap`). */
  captures: Captures;
  /** Tap mirrors (`tap mirror`). */
  mirrors: TapMirrors;
  /** Link emulation on NICs (`qos`). */
  qos: QosKernel;
  /** Batches the NIC setup of containers launched together. */
  attachWave: AttachWave;
  /** Unmounts writable layers (snapshot containers' tmpfs) before their directories go. */
  layers: LayerUnmounts;
  /** Next id to hand out; persisted in engine.json. */
  nextId: number;
  /** Prefix of this engine's cgroup directory names (one per base directory). */
  cgroupTag: string;
  /** Built-in host filesystem root (generated on first use). */
  hostFsRoot: string;
  /** minimega's files directory: relative `vm config` host paths resolve under it (absolute). */
  filesDir: string;
  /** Names of the cluster's hosts once the daemon joined one (`vm config schedule` takes them). */
  clusterHosts?: () => string[];
  /** The built-in host filesystem, generated once per daemon (launches run in parallel). */
  hostFs(): Promise<HostFs>;
  /** Monitors: launch handshakes, control and console connections, exit records (Engine.close closes it). */
  shim: Shim;
  info(c: Container): ContainerInfo;
  /** Persist the record and tell subscribers. */
  save(c: Container): Promise<void>;
  saveEngine(): Promise<void>;
}

/** Short stable tag for a base directory, so two daemons on two bases never share cgroup names. */
export function baseTag(base: string): string {
  return 'nm' + createHash('sha256').update(base).digest('hex').slice(0, 8);
}

/** Run `fn` after every earlier operation on the same container. */
export function serialize<T>(c: Container, fn: () => Promise<T>): Promise<T> {
  const run = c.queue.then(fn, fn);
  c.queue = run.catch(() => undefined);
  return run;
}
