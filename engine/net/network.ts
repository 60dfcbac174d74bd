import { createHash, randomInt } from 'node:crypto';
import { join } from 'node:path';
import type { NetSpec, NicInfo } from '../api/types.js';
import { EngineError, configError } from '../errors.js';
import { containerLines, deleteLines, hostNicLines } from './batch.js';
import { markOf, type BridgeBackend, type OwnedBridges } from './bridge-backend.js';
import { runBatch, runOne, PROC, SYS_NET } from './ip.js';
import { LinuxBridge } from './linux-bridge.js';
import { logError } from '../log.js';
import { linuxNetHost, type NetHost } from './net-host.js';
import { bareIp, checkNetSpec, DEFAULT_BRIDGE, generateMac } from './netspec.js';
import { OvsBridge, ovsUnavailable } from './ovs-bridge.js';
import { VlanAliases } from './vlans.js';
import { existingLinks, parseAddrJson, taggedLinks, type TaggedLink } from './link-readers.js';
import type {
  AttachOptions,
  AttachRequest,
  AttachResult,
  ContainerNet,
  NetCore,
  NetStateJSON,
  NetworkOptions,
  NicAddresses,
  NicCounters,
  NicRecord,
} from './network-types.js';

/** File in the state dir holding taps, bridges we created and VLAN aliases. */
const STATE_FILE = 'net.json';
/** Host end prefix, as minimega names its taps. */
export const TAP_PREFIX = 'mega_tap';
/** Container ends are veth0, veth1… inside the container. */
const CONTAINER_IFNAME = 'veth';
/** Container-side `nsenter … ip -batch` processes run at once in an attach wave (containerSide 'nsenter'). */
const CONTAINER_BATCH_CONCURRENCY = 32;

/**
 * Container NICs: one veth pair per NetSpec, host end `mega_tapN` on a bridge as an access port of the
 * VLAN, container end `vethI` in the container's netns. All operations are serialised; state is written
 * (atomically) before kernel objects are made, so a crash half-way is cleaned up by nuke/reconcile.
 */
/** Device groups a batched delete picks from: [2^30, 2^31), far from the small numbers people name in /etc/iproute2/group. */
const DELETE_GROUP_BASE = 2 ** 30;

export class Network {
  readonly vlans: VlanAliases = new VlanAliases();
  private readonly host: NetHost;
  private readonly statePath: string;
  /** net.json existed but could not be read: what the kernel shows cannot be told from strays. */
  private stateLost = false;
  private readonly tapPrefix: string;
  private readonly defaultBridge: string;
  /** Instance tag in every alias we write: a hash of the state dir, so two engines never clean up each other. */
  readonly tag: string;
  private readonly owned: OwnedBridges = new Map();
  private readonly containers = new Map<number, ContainerNet>();
  private nextTap = 0;
  /** MTU of new container NICs (both ends); the kernel's default (1500) when unset. */
  private mtu?: number;
  private backendImpl?: BridgeBackend;
  private ready?: Promise<void>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: NetworkOptions) {
    this.host = opts.host ?? linuxNetHost();
    this.statePath = join(opts.stateDir, STATE_FILE);
    this.tapPrefix = opts.tapPrefix ?? TAP_PREFIX;
    this.defaultBridge = opts.defaultBridge ?? DEFAULT_BRIDGE;
    this.tag = createHash('sha1').update(opts.stateDir).digest('hex').slice(0, 8);
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
    await this.init();
    return this.backendImpl!;
  }

  attach(c: { id: number; nics: NetSpec[] }, initPid: number): Promise<NicInfo[]> {
    return this.attachMany([{ c, initPid }]).then(([r]) => {
      if (!r!.ok) throw r!.error;
      return r!.nics;
    });
  }

  /**
   * Attaches a launch wave: one `ip -batch` (plus one `bridge -batch` in vlan-filtering mode) for all
   * host ends, then (containerSide 'nsenter') one `nsenter … ip -batch` per container. A failed
   * container is rolled back and reported; the others are kept. With containerSide 'caller' the
   * container ends exist but are down; the caller brings them up (AttachResult.container) and
   * detaches the container if it cannot.
   */
  attachMany(list: readonly AttachRequest[], opts: AttachOptions = {}): Promise<AttachResult[]> {
    return this.locked(async () => {
      const results = new Map<number, AttachResult>();
      const planned: { req: AttachRequest; nics: NicRecord[] }[] = [];
      for (const req of list) {
        try {
          planned.push({ req, nics: this.plan(req) });
        } catch (e) {
          results.set(req.c.id, { id: req.c.id, ok: false, error: asEngineError(e) });
        }
      }
      for (const p of planned) this.containers.set(p.req.c.id, { pid: p.req.initPid, nics: p.nics });
      await this.save();
      let hostDone = planned;
      try {
        await this.hostSide(planned);
      } catch (e) {
        await this.rollback(planned.map((p) => p.req.c.id));
        if (planned.length === 1) {
          results.set(planned[0]!.req.c.id, { id: planned[0]!.req.c.id, ok: false, error: asEngineError(e) });
          hostDone = [];
        } else {
          // Find the culprit: one wave per container, so one bad pid cannot fail the others.
          hostDone = [];
          for (const p of planned) {
            this.containers.set(p.req.c.id, { pid: p.req.initPid, nics: p.nics });
            try {
              await this.hostSide([p]);
              hostDone.push(p);
            } catch (e2) {
              await this.rollback([p.req.c.id]);
              results.set(p.req.c.id, { id: p.req.c.id, ok: false, error: asEngineError(e2) });
            }
          }
        }
      }
      const done = (p: (typeof planned)[number]): AttachResult => ({
        id: p.req.c.id,
        ok: true,
        nics: p.nics.map((n) => this.info(n)),
        container: p.nics.map((n) => ({ ifname: n.ifname, ip: n.ip })),
      });
      if (opts.containerSide === 'caller') {
        for (const p of hostDone) results.set(p.req.c.id, done(p));
      } else {
        await mapLimit(hostDone, CONTAINER_BATCH_CONCURRENCY, async (p) => {
          try {
            await runBatch(this.host, 'ip', containerLines(p.nics), { op: `attach c${p.req.c.id} (pid ${p.req.initPid})`, netnsPid: p.req.initPid });
            results.set(p.req.c.id, done(p));
          } catch (e) {
            results.set(p.req.c.id, { id: p.req.c.id, ok: false, error: asEngineError(e) });
          }
        });
      }
      const failed = [...results.values()].filter((r) => !r.ok && this.containers.has(r.id)).map((r) => r.id);
      if (failed.length > 0) await this.rollback(failed);
      await this.save();
      return list.map((req) => results.get(req.c.id)!);
    });
  }

  /**
   * VLAN ids for `vlans` as users write them, allocating aliases now and persisting them (minimega
   * allocates an alias when `vm config networks` names it, so `vlans` lists it before any launch).
   */
  allocateVlans(vlans: readonly string[], namespace?: string): Promise<number[]> {
    return this.locked(async () => {
      const before = JSON.stringify(this.vlans.toJSON());
      const ids = vlans.map((v) => this.vlans.resolve(v, namespace));
      if (JSON.stringify(this.vlans.toJSON()) !== before) await this.save();
      return ids;
    });
  }

  /** Change the VLAN aliases (`vlans add|range|blacklist`, `clear vlans`) and persist them. */
  editVlans<T>(fn: (v: VlanAliases) => T): Promise<T> {
    return this.locked(async () => {
      const r = fn(this.vlans);
      await this.save();
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
    wave.done = this.locked(() => {
      this.detachWave = undefined;
      return this.rollback(wave.ids);
    });
    return wave.done;
  }

  /**
   * `vm net add`: NICs added to a live container after the ones it has (eth-style names veth<N>, up,
   * addresses added), host ends on their bridges. All or nothing: on failure the new host ends go
   * (their peers with them) and the container keeps what it had.
   */
  addNics(id: number, initPid: number, specs: readonly NetSpec[], namespace?: string): Promise<NicInfo[]> {
    return this.locked(async () => {
      if (!Number.isInteger(initPid) || initPid <= 0) throw configError('initPid', initPid, `add nics to c${id}: bad init pid ${initPid}`);
      const netns = `${PROC}/${initPid}/ns/net`;
      if (!(await this.host.exists(netns)))
        throw new EngineError('E_NOT_FOUND', `add nics to c${id}: no network namespace ${netns}`, { op: 'net add', path: netns });
      const had = this.containers.get(id);
      const rec: ContainerNet = had ?? { pid: initPid, nics: [] };
      const added = this.planNics(specs, rec.nics.length, namespace);
      this.containers.set(id, { ...rec, nics: [...rec.nics, ...added] });
      await this.save();
      try {
        await this.hostSide([{ req: { c: { id, nics: [...specs] }, initPid }, nics: added }]);
        await runBatch(this.host, 'ip', containerLines(added), { op: `add nics to c${id} (pid ${initPid})`, netnsPid: initPid });
      } catch (e) {
        await this.deleteLinks(
          await existingLinks(
            this.host,
            added.map((n) => n.tap),
          ),
          `add nics to c${id}: undo`,
        ).catch((e2: unknown) => logError(`vm net add: removing the new NICs of c${id}`, e2));
        if (had) this.containers.set(id, had);
        else this.containers.delete(id);
        for (const b of new Set(added.map((n) => n.bridge))) await this.backendImpl!.removeBridgeIfUnused(b).catch(() => undefined);
        await this.save();
        throw e;
      }
      return added.map((n) => this.info(n));
    });
  }

  /** Moves NIC `index` of a live container to `vlan` (and `bridge`, default: the NIC's bridge). */
  connect(id: number, index: number, vlan: string, bridge?: string, namespace?: string): Promise<NicInfo> {
    return this.locked(async () => {
      const nic = this.nic(id, index);
      const target = bridge === undefined || bridge === '' ? nic.bridge : bridge;
      checkNetSpec({ bridge: target, vlan, mac: '', ip: '' }, `net[${index}]`);
      const vlanId = this.vlans.resolve(vlan, namespace);
      const be = this.backendImpl!;
      const old = nic.bridge;
      if (nic.connected && target !== old) await be.removePort(old, nic.tap);
      await be.movePort(target, nic.tap, vlanId);
      Object.assign(nic, { bridge: target, vlan: vlan.trim(), vlanId, connected: true });
      if (target !== old) await be.removeBridgeIfUnused(old);
      await this.save();
      return this.info(nic);
    });
  }

  /** Takes NIC `index` off its bridge; the veth stays, so `connect` can bring it back. */
  disconnect(id: number, index: number): Promise<NicInfo> {
    return this.locked(async () => {
      const nic = this.nic(id, index);
      if (nic.connected) {
        await this.backendImpl!.removePort(nic.bridge, nic.tap);
        await this.backendImpl!.removeBridgeIfUnused(nic.bridge);
      }
      Object.assign(nic, { connected: false, vlan: 'disconnected', vlanId: 0 });
      await this.save();
      return this.info(nic);
    });
  }

  /** NicInfo of a container as recorded (configured addresses; see readAddresses for the real ones). */
  /**
   * The NICs `specs` ask for, as `vm info` shows a container that has none made (its launch failed
   * before or after making them): VLAN and bridge as configured, no tap, the MAC only if given. An
   * alias no launch has allocated yet has id -1.
   */
  configuredNics(specs: readonly NetSpec[], namespace?: string): NicInfo[] {
    return specs.map((spec) => ({
      vlan: spec.vlan.trim(),
      vlanId: this.vlans.lookup(spec.vlan, namespace) ?? -1,
      bridge: this.bridgeOf(spec),
      tap: '',
      mac: spec.mac.toLowerCase(),
      ip: '',
      ip6: '',
    }));
  }

  async nics(id: number): Promise<NicInfo[]> {
    await this.init();
    return (this.containers.get(id)?.nics ?? []).map((n) => this.info(n));
  }

  /** Addresses as the container sees them, read from its own netns. */
  async readAddresses(initPid: number): Promise<NicAddresses[]> {
    const out = await runOne(
      this.host,
      ['nsenter', `--net=${PROC}/${initPid}/ns/net`, '--', 'ip', '-j', 'addr', 'show'],
      'read addresses',
      `${PROC}/${initPid}/ns/net`,
    );
    return parseAddrJson(out);
  }

  /**
   * Kernel bridges that make up logical bridge `bridge` now: the ones this engine created for it (one per
   * VLAN in bridge-per-vlan mode) and a bridge device of that name made by someone else.
   */
  async kernelBridges(bridge: string): Promise<string[]> {
    await this.init();
    const out = new Set([...this.owned].filter(([, logical]) => logical === bridge).map(([kb]) => kb));
    if (/^[^/\s]{1,15}$/.test(bridge) && bridge !== '.' && bridge !== '..' && (await this.host.exists(`${SYS_NET}/${bridge}/bridge`))) out.add(bridge);
    return existingLinks(this.host, [...out].sort());
  }

  /** Bridge and VLAN of every connected container NIC (what `bridge` lists). */
  async bridgePorts(): Promise<{ bridge: string; vlanId: number }[]> {
    await this.init();
    return [...this.containers.values()].flatMap((c) => c.nics.filter((n) => n.connected).map((n) => ({ bridge: n.bridge, vlanId: n.vlanId })));
  }

  /** Kernel bridges this engine made for each logical bridge (its record; some may be gone). */
  async ownedByLogical(): Promise<Map<string, string[]>> {
    await this.init();
    const out = new Map<string, string[]>();
    for (const [kb, logical] of [...this.owned].sort()) out.set(logical, [...(out.get(logical) ?? []), kb]);
    return out;
  }

  /** Per-NIC byte counters from the host ends, turned round to the container's point of view. */
  async counters(id: number): Promise<NicCounters[]> {
    await this.init();
    const out: NicCounters[] = [];
    for (const n of this.containers.get(id)?.nics ?? []) {
      const stat = `${SYS_NET}/${n.tap}/statistics`;
      if (!(await this.host.exists(stat))) continue;
      const hostRx = Number((await this.host.readFile(`${stat}/rx_bytes`)).trim());
      const hostTx = Number((await this.host.readFile(`${stat}/tx_bytes`)).trim());
      out.push({ index: n.index, tap: n.tap, rxBytes: hostTx, txBytes: hostRx });
    }
    return out;
  }

  /**
   * After a daemon restart: forget and delete NICs of containers that are gone, and delete tagged host
   * ends that no record owns (a launch that died half-way).
   */
  reconcile(live: ReadonlySet<number>): Promise<void> {
    return this.locked(async () => {
      const dead = [...this.containers.keys()].filter((id) => !live.has(id));
      await this.rollback(dead);
      const known = new Set([...this.containers.values()].flatMap((c) => c.nics.map((n) => n.tap)));
      const stray = (await this.taggedLinks()).filter((l) => l.kind === 'tap' && !known.has(l.name)).map((l) => l.name);
      if (this.stateLost) {
        // Without net.json a live container's NIC looks exactly like a stray: keep them all.
        if (stray.length)
          logError('network reconcile', `net.json was unreadable: keeping ${stray.length} tagged link(s) it cannot account for (nuke removes them)`);
        return;
      }
      await runBatch(this.host, 'ip', deleteLines(stray), { op: 'reconcile', force: true });
    });
  }

  /** Removes every veth and bridge this engine created (by record and by alias tag). */
  nuke(): Promise<void> {
    return this.locked(async () => {
      const links = await this.taggedLinks();
      const taps = new Set([...this.containers.values()].flatMap((c) => c.nics.map((n) => n.tap)));
      for (const l of links) if (l.kind !== 'bridge') taps.add(l.name); // host taps (taps.ts) too
      await runBatch(this.host, 'ip', deleteLines(await existingLinks(this.host, taps)), { op: 'nuke', force: true });
      const bridges = new Set(this.owned.keys());
      for (const l of links) if (l.kind === 'bridge') bridges.add(l.name);
      const live = await existingLinks(this.host, bridges);
      await runBatch(
        this.host,
        'ip',
        live.map((b) => `link del ${b}`),
        { op: 'nuke', force: true },
      );
      this.containers.clear();
      this.owned.clear();
      await this.save();
    });
  }

  // ---- internals ----

  private plan(req: AttachRequest): NicRecord[] {
    const { id, nics } = req.c;
    if (this.containers.has(id)) throw new EngineError('E_EXISTS', `attach c${id}: already attached`, { op: 'attach', path: `c${id}` });
    if (!Number.isInteger(req.initPid) || req.initPid <= 0) throw configError('initPid', req.initPid, `attach c${id}: bad init pid ${req.initPid}`);
    return this.planNics(nics, 0, req.c.namespace);
  }

  /** NIC records for `specs` as NICs `first`, `first`+1 … of a container: taps numbered, MACs generated. */
  private planNics(specs: readonly NetSpec[], first: number, namespace: string | undefined): NicRecord[] {
    const inUse = new Set([...this.containers.values()].flatMap((c) => c.nics.map((n) => n.mac)));
    return specs.map((spec, i) => {
      const index = first + i;
      checkNetSpec(spec, `net[${index}]`);
      if (spec.qinq && this.backendImpl!.kind !== 'ovs') {
        throw configError(
          'networks',
          spec.vlan,
          `net[${index}]: qinq needs the Open vSwitch backend (this host uses the Linux bridge, ${this.backendImpl!.mode})`,
        );
      }
      const vlanId = this.vlans.resolve(spec.vlan, namespace);
      const tapNo = this.nextTap++;
      const tap = `${this.tapPrefix}${tapNo}`;
      let mac = spec.mac.toLowerCase();
      if (mac === '') {
        let n = tapNo;
        do mac = generateMac(n++, parseInt(this.tag.slice(0, 2), 16));
        while (inUse.has(mac));
      }
      inUse.add(mac);
      const bridge = this.bridgeOf(spec);
      return {
        index,
        tap,
        ifname: `${CONTAINER_IFNAME}${index}`,
        mac,
        bridge,
        vlan: spec.vlan.trim(),
        vlanId,
        ip: spec.ip,
        connected: true,
        ...(spec.qinq ? { qinq: true } : {}),
      };
    });
  }

  private async hostSide(planned: readonly { req: AttachRequest; nics: NicRecord[] }[]): Promise<void> {
    const prelude: string[] = [];
    const ports = [];
    for (const p of planned) {
      for (const n of p.nics) {
        const mark = markOf(this.tag, `tap c${p.req.c.id} nic${n.index}`);
        prelude.push(...hostNicLines(n.tap, n.ifname, n.mac, p.req.initPid, mark, this.mtu));
        ports.push({ bridge: n.bridge, port: n.tap, vlan: n.vlanId, ...(n.qinq ? { qinq: true } : {}) });
      }
    }
    if (prelude.length === 0) return;
    await this.backendImpl!.addPorts(ports, prelude);
  }

  /** Deletes the host ends of `ids` (missing ones are fine), their unused bridges, and the records. */
  private async rollback(ids: readonly number[]): Promise<void> {
    const nics = ids.flatMap((id) => this.containers.get(id)?.nics ?? []);
    await this.deleteLinks(
      await existingLinks(
        this.host,
        nics.map((n) => n.tap),
      ),
      `detach c${ids.join(',c')}`,
    );
    for (const id of ids) this.containers.delete(id);
    for (const b of new Set(nics.map((n) => n.bridge))) await this.backendImpl!.removeBridgeIfUnused(b);
    await this.save();
  }

  /** The bridge a netspec names; '' is the default one. */
  private bridgeOf(spec: NetSpec): string {
    return spec.bridge === '' ? this.defaultBridge : spec.bridge;
  }

  /**
   * Deletes host ends, many at once by device group: each `link del` waits for the kernel to let go
   * of the device (an RCU grace period and more, ~18 ms, under the RTNL lock that every namespace
   * and link of the host also needs), while `link del group G` unregisters the whole group with one
   * wait (500 veth pairs: 9 s one by one, 0.3 s by group). The group is a random one of ours, and is
   * deleted only when it holds nothing but our devices; otherwise they go one by one.
   */
  private async deleteLinks(taps: readonly string[], op: string): Promise<void> {
    if (taps.length < 2) {
      await runBatch(this.host, 'ip', deleteLines(taps), { op, force: true });
      return;
    }
    const group = DELETE_GROUP_BASE + randomInt(DELETE_GROUP_BASE);
    await runBatch(
      this.host,
      'ip',
      taps.map((t) => `link set ${t} group ${group}`),
      { op, force: true },
    );
    const out = await runOne(this.host, ['ip', '-j', 'link', 'show', 'group', String(group)], op, `group ${group}`).catch(() => '');
    let members: string[] | undefined;
    try {
      members = (JSON.parse(out || '[]') as { ifname: string }[]).map((l) => l.ifname);
    } catch {
      members = undefined;
    }
    const ours = new Set(taps);
    if (members && members.every((m) => ours.has(m))) {
      if (members.length > 0) await runBatch(this.host, 'ip', [`link del group ${group}`], { op, force: true });
      return;
    }
    await runBatch(this.host, 'ip', deleteLines(members ? members.filter((m) => ours.has(m)) : taps), { op, force: true });
  }

  private nic(id: number, index: number): NicRecord {
    const nic = this.containers.get(id)?.nics[index];
    if (!nic) throw new EngineError('E_NOT_FOUND', `c${id} has no nic ${index}`, { op: 'net', path: `c${id}/nic${index}` });
    return nic;
  }

  private info(n: NicRecord): NicInfo {
    return { vlan: n.vlan, vlanId: n.vlanId, bridge: n.bridge, tap: n.tap, mac: n.mac, ip: bareIp(n.ip), ip6: '' };
  }

  /** Links carrying this engine's tag in their alias (see taggedLinks in link-readers.ts). */
  taggedLinks(): Promise<TaggedLink[]> {
    return taggedLinks(this.host, this.tag);
  }

  /** Runs `fn` under the network's lock with what host taps share with container NICs. */
  exclusive<T>(fn: (core: NetCore) => Promise<T>): Promise<T> {
    return this.locked(() =>
      fn({
        backend: this.backendImpl!,
        vlans: this.vlans,
        tag: this.tag,
        defaultBridge: this.defaultBridge,
        nextTapName: () => `${this.tapPrefix}${this.nextTap++}`,
        save: () => this.save(),
      }),
    );
  }

  /** The detach wave still taking ids (see detach). */
  private detachWave?: { ids: number[]; done: Promise<void> };

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => this.init()).then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private init(): Promise<void> {
    this.ready ??= this.load();
    return this.ready;
  }

  /**
   * net.json, or undefined when it cannot be read as network state (review L9): its text is kept
   * in net.json.bad, the failure logged, and the network starts empty — recovery then removes the
   * links and bridges no state owns, instead of the daemon refusing to start.
   */
  private async readState(): Promise<NetStateJSON | undefined> {
    const text = await this.host.readFile(this.statePath);
    try {
      const s = JSON.parse(text) as NetStateJSON | null;
      if (s && typeof s === 'object' && !Array.isArray(s)) return s;
      throw new Error('not an object');
    } catch (e) {
      this.stateLost = true;
      await this.host.writeFileAtomic(`${this.statePath}.bad`, text).catch(() => undefined); // Best-effort: logged either way.
      logError(`network state ${this.statePath} unreadable (kept in ${STATE_FILE}.bad; starting with none)`, e);
      return undefined;
    }
  }

  private async load(): Promise<void> {
    await this.host.mkdirp(this.opts.stateDir);
    const s = (await this.host.exists(this.statePath)) ? await this.readState() : undefined;
    if (this.stateLost) {
      // The taps of containers still running keep their names: number new ones after them.
      for (const name of await this.host.readdir(SYS_NET)) {
        const n = name.startsWith(this.tapPrefix) ? Number(name.slice(this.tapPrefix.length)) : NaN;
        if (Number.isSafeInteger(n) && n >= this.nextTap) this.nextTap = n + 1;
      }
    }
    await this.opts.uplinks?.load(this.tag);
    if (s) {
      this.nextTap = s.nextTap ?? 0;
      const v = VlanAliases.fromJSON(s.vlans);
      (this as { vlans: VlanAliases }).vlans = v;
      for (const [kb, logical] of Object.entries(s.bridges ?? {})) this.owned.set(kb, logical);
      for (const [id, c] of Object.entries(s.containers ?? {})) this.containers.set(Number(id), c);
    }
    if (this.opts.backend === 'ovs') {
      const why = await ovsUnavailable(this.host);
      if (why) throw new EngineError('E_CONFIG', `bridge backend ovs unavailable: ${why}`, { field: 'backend', value: 'ovs' });
      this.backendImpl = new OvsBridge(this.host, this.tag, this.owned);
    } else {
      const mode = this.opts.linuxMode ?? (await LinuxBridge.probeMode(this.host));
      this.backendImpl = new LinuxBridge(this.host, this.tag, this.owned, mode, this.opts.uplinks);
    }
  }

  private async save(): Promise<void> {
    const s: NetStateJSON = {
      version: 1,
      nextTap: this.nextTap,
      vlans: this.vlans.toJSON(),
      bridges: Object.fromEntries(this.owned),
      containers: Object.fromEntries(this.containers),
    };
    await this.host.writeFileAtomic(this.statePath, JSON.stringify(s, null, 1));
  }
}

function asEngineError(e: unknown): EngineError {
  return e instanceof EngineError ? e : new EngineError('E_INTERNAL', e instanceof Error ? e.message : String(e));
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
