import { createHash } from 'node:crypto';
import type { NetSpec, NicInfo } from '../api/types.js';
import { EngineError } from '../errors.js';
import type { BridgeBackend } from './bridge-backend.js';
import { LinuxBridge } from './linux-bridge.js';
import { taggedLinks, type TaggedLink } from './link-readers.js';
import { linuxNetHost, type NetHost } from './net-host.js';
import { DEFAULT_BRIDGE } from './netspec.js';
import { attachWave } from './network-attach.js';
import { removeContainerNics } from './network-host-ends.js';
import { addNics, connect, disconnect } from './network-live.js';
import { configuredNics } from './network-plan.js';
import { bridgePorts, counters, kernelBridges, ownedByLogical, readAddresses, recordedNics } from './network-queries.js';
import { nuke, reconcile } from './network-recovery.js';
import { NetState, type NetParts } from './network-state.js';
import type { AttachOptions, AttachRequest, AttachResult, NetCore, NetworkOptions, NicAddresses, NicCounters } from './network-types.js';
import { OvsBridge, ovsUnavailable } from './ovs-bridge.js';
import type { VlanAliases } from './vlans.js';

/** Host end prefix, as minimega names its taps. */
export const TAP_PREFIX = 'mega_tap';

/**
 * Container NICs: one veth pair per NetSpec, host end `mega_tapN` on a bridge as an access port of the
 * VLAN, container end `vethI` in the container's netns. All operations are serialised; state is written
 * (atomically) before kernel objects are made, so a crash half-way is cleaned up by nuke/reconcile.
 */
export class Network {
  private readonly host: NetHost;
  private readonly state: NetState;
  private readonly defaultBridge: string;
  /** Instance tag in every alias we write: a hash of the state dir, so two engines never clean up each other. */
  readonly tag: string;
  /** MTU of new container NICs (both ends); the kernel's default (1500) when unset. */
  private mtu?: number;
  /** What the concerns work with, once net.json is loaded and the backend chosen. */
  private ready?: Promise<NetParts>;
  private chain: Promise<unknown> = Promise.resolve();
  /** The detach wave still taking ids (see detach). */
  private detachWave?: { ids: number[]; done: Promise<void> };

  constructor(private readonly opts: NetworkOptions) {
    this.host = opts.host ?? linuxNetHost();
    this.state = new NetState(this.host, opts.stateDir, opts.tapPrefix ?? TAP_PREFIX);
    this.defaultBridge = opts.defaultBridge ?? DEFAULT_BRIDGE;
    this.tag = createHash('sha1').update(opts.stateDir).digest('hex').slice(0, 8);
  }

  /** The VLAN aliases (those of net.json once it is loaded). */
  get vlans(): VlanAliases {
    return this.state.vlans;
  }

  /**
   * Make new container NICs no larger than `mtu` (a cluster whose VLANs cross hosts in tunnels with
   * less room than 1500 bytes: engine/net/vxlan.ts).
   */
  setMtu(mtu: number | undefined): void {
    this.mtu = mtu;
  }

  /** The bridge backend in use (after the first operation). */
  async backend(): Promise<BridgeBackend> {
    return (await this.init()).backend;
  }

  attach(c: { id: number; nics: NetSpec[] }, initPid: number): Promise<NicInfo[]> {
    return this.attachMany([{ c, initPid }]).then(([r]) => {
      if (!r!.ok) throw r!.error;
      return r!.nics;
    });
  }

  /** Attaches a launch wave (see attachWave in network-attach.ts). */
  attachMany(list: readonly AttachRequest[], opts: AttachOptions = {}): Promise<AttachResult[]> {
    return this.locked((parts) => attachWave(parts, list, opts));
  }

  /**
   * VLAN ids for `vlans` as users write them, allocating aliases now and persisting them (minimega
   * allocates an alias when `vm config networks` names it, so `vlans` lists it before any launch).
   */
  allocateVlans(vlans: readonly string[], namespace?: string): Promise<number[]> {
    return this.locked(async () => {
      const before = JSON.stringify(this.vlans.toJSON());
      const ids = vlans.map((v) => this.vlans.resolve(v, namespace));
      if (JSON.stringify(this.vlans.toJSON()) !== before) await this.state.save();
      return ids;
    });
  }

  /** Change the VLAN aliases (`vlans add|range|blacklist`, `clear vlans`) and persist them. */
  editVlans<T>(fn: (v: VlanAliases) => T): Promise<T> {
    return this.locked(async () => {
      const r = fn(this.vlans);
      await this.state.save();
      return r;
    });
  }

  /**
   * Deletes the container's host ends explicitly (netns teardown is asynchronous) and unused bridges.
   * Containers that end together (`vm kill all`) share one wave: ids arriving while the previous
   * wave runs are deleted by one `ip -batch` when it ends, not by a process each.
   */
  detach(id: number): Promise<void> {
    if (this.detachWave) {
      this.detachWave.ids.push(id);
      return this.detachWave.done;
    }
    const wave: { ids: number[]; done: Promise<void> } = { ids: [id], done: Promise.resolve() };
    this.detachWave = wave;
    wave.done = this.locked((parts) => {
      this.detachWave = undefined;
      return removeContainerNics(parts, wave.ids);
    });
    return wave.done;
  }

  /** `vm net add` (see addNics in network-live.ts). */
  addNics(id: number, initPid: number, specs: readonly NetSpec[], namespace?: string): Promise<NicInfo[]> {
    return this.locked((parts) => addNics(parts, id, initPid, specs, namespace));
  }

  /** Moves NIC `index` of a live container to `vlan` (and `bridge`, default: the NIC's bridge). */
  connect(id: number, index: number, vlan: string, bridge?: string, namespace?: string): Promise<NicInfo> {
    return this.locked((parts) => connect(parts, id, index, vlan, bridge, namespace));
  }

  /** Takes NIC `index` off its bridge; the veth stays, so `connect` can bring it back. */
  disconnect(id: number, index: number): Promise<NicInfo> {
    return this.locked((parts) => disconnect(parts, id, index));
  }

  /** The NICs `specs` ask for, as `vm info` shows a container that has none made (see network-plan.ts). */
  configuredNics(specs: readonly NetSpec[], namespace?: string): NicInfo[] {
    return configuredNics(this.vlans, this.defaultBridge, specs, namespace);
  }

  /** NicInfo of a container as recorded (configured addresses; see readAddresses for the real ones). */
  async nics(id: number): Promise<NicInfo[]> {
    return recordedNics(await this.init(), id);
  }

  /** Addresses as the container sees them, read from its own netns. */
  readAddresses(initPid: number): Promise<NicAddresses[]> {
    return readAddresses(this.host, initPid);
  }

  /** Kernel bridges that make up logical bridge `bridge` now (see network-queries.ts). */
  async kernelBridges(bridge: string): Promise<string[]> {
    return kernelBridges(await this.init(), bridge);
  }

  /** Bridge and VLAN of every connected container NIC (what `bridge` lists). */
  async bridgePorts(): Promise<{ bridge: string; vlanId: number }[]> {
    return bridgePorts(await this.init());
  }

  /** Kernel bridges this engine made for each logical bridge (its record; some may be gone). */
  async ownedByLogical(): Promise<Map<string, string[]>> {
    return ownedByLogical(await this.init());
  }

  /** Per-NIC byte counters from the host ends, turned round to the container's point of view. */
  async counters(id: number): Promise<NicCounters[]> {
    return counters(await this.init(), id);
  }

  /**
   * After a daemon restart: forget and delete NICs of containers that are gone, and delete tagged host
   * ends that no record owns (a launch that died half-way).
   */
  reconcile(live: ReadonlySet<number>): Promise<void> {
    return this.locked((parts) => reconcile(parts, live));
  }

  /** Removes every veth and bridge this engine created (by record and by alias tag). */
  nuke(): Promise<void> {
    return this.locked(nuke);
  }

  /** Links carrying this engine's tag in their alias (see taggedLinks in link-readers.ts). */
  taggedLinks(): Promise<TaggedLink[]> {
    return taggedLinks(this.host, this.tag);
  }

  /** Runs `fn` under the network's lock with what host taps share with container NICs. */
  exclusive<T>(fn: (core: NetCore) => Promise<T>): Promise<T> {
    return this.locked((parts) =>
      fn({
        backend: parts.backend,
        vlans: this.vlans,
        tag: this.tag,
        defaultBridge: this.defaultBridge,
        nextTapName: () => this.state.newTap(),
        save: () => this.state.save(),
      }),
    );
  }

  private locked<T>(fn: (parts: NetParts) => Promise<T>): Promise<T> {
    const run = this.chain.then(() => this.init()).then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private init(): Promise<NetParts> {
    this.ready ??= this.load();
    return this.ready;
  }

  private async load(): Promise<NetParts> {
    const saved = await this.state.read();
    await this.opts.uplinks?.load(this.tag);
    this.state.restore(saved);
    return {
      host: this.host,
      state: this.state,
      backend: await this.openBackend(),
      tag: this.tag,
      defaultBridge: this.defaultBridge,
      mtu: () => this.mtu,
    };
  }

  private async openBackend(): Promise<BridgeBackend> {
    if (this.opts.backend === 'ovs') {
      const why = await ovsUnavailable(this.host);
      if (why) throw new EngineError('E_CONFIG', `bridge backend ovs unavailable: ${why}`, { field: 'backend', value: 'ovs' });
      return new OvsBridge(this.host, this.tag, this.state.owned);
    }
    const mode = this.opts.linuxMode ?? (await LinuxBridge.probeMode(this.host));
    return new LinuxBridge(this.host, this.tag, this.state.owned, mode, this.opts.uplinks);
  }
}
