// Host taps (minimega's `tap`): an interface of the host itself on an experiment VLAN, so the host
// can reach containers (ssh) and serve them (dnsmasq). minimega makes an OVS internal port; we make
// a veth pair on every backend: NAME stays in the host's netns and holds the address, its peer is
// an access port of the VLAN on the bridge, exactly like a container NIC's host end.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { HostTapInfo, TapRequest } from '../api/types.js';
import { startDhclient, stopDhclient } from '../dhcp/dhclient.js';
import { EngineError, configError } from '../errors.js';
import type { Host } from '../host/host.js';
import { portAddrgenLine } from './batch.js';
import { markOf } from './bridge-backend.js';
import { runBatch, SYS_NET } from './ip.js';
import { parseCidr4 } from './ipv4.js';
import { netHostOf, type NetHost } from './net-host.js';
import { checkIfname, checkIp } from './netspec.js';
import type { Network } from './network.js';
import type { NetCore } from './network-types.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';

/** `<base>/taps/`: the records, and one directory per DHCP tap for its client. */
export const TAPS_DIR = 'taps';
const STATE_FILE = 'state.json';
/** minimega's wildcard and reserved word. */
export const ALL = 'all';

interface TapRecord extends HostTapInfo {
  /** The veth peer on the bridge. */
  port: string;
  /** dhclient's pid (its pid file is the truth; this is a hint for a file lost in a crash). */
  dhcpPid: number;
}

interface TapsStateJSON {
  version: 1;
  taps: TapRecord[];
}

/** Name of the bridge-side peer of host tap `name`: short, stable, and unlikely to be anyone's. */
export function portName(tag: string, name: string): string {
  return `nmp${createHash('sha1').update(`${tag}/${name}`).digest('hex').slice(0, 10)}`;
}

/** Alias marks of the two ends; Network.taggedLinks() classifies both as 'host'. */
export function tapMarks(tag: string, name: string): { tap: string; port: string } {
  return { tap: markOf(tag, `host ${name}`), port: markOf(tag, `host ${name} port`) };
}

/** The `ip -batch` lines that make the pair, up, with `ip` on the host end. */
export function tapLines(tag: string, name: string, port: string, ip: string): string[] {
  const m = tapMarks(tag, name);
  const lines = [
    `link add ${name} type veth peer name ${port}`,
    `link set ${name} alias "${m.tap}"`,
    `link set ${port} alias "${m.port}"`,
    portAddrgenLine(port),
    `link set ${name} up`,
  ];
  if (ip !== '') lines.push(`addr add ${ip} dev ${name}`);
  return lines;
}

/** Checks a request's words; throws E_CONFIG naming the field and value. */
export function checkTapRequest(req: TapRequest): void {
  if (req.name !== undefined) checkTapName(req.name);
  if (req.bridge !== undefined && req.bridge !== '') {
    checkIfname(req.bridge, 'bridge');
    if (req.bridge === ALL) throw configError('bridge', req.bridge, '`all` is a reserved word -- cannot use for bridge name');
  }
  if (req.ip !== undefined && req.ip !== '') {
    if (req.dhcp) throw configError('ip', req.ip, 'tap create: give an ip or dhcp, not both');
    const ok = req.ip.includes(':') ? (checkIp(req.ip, 'ip'), true) : parseCidr4(req.ip) !== undefined;
    if (!ok) throw configError('ip', req.ip, `invalid ip address \`${req.ip}\`: want a.b.c.d/len (or an IPv6 address)`);
  }
}

function checkTapName(name: string): void {
  checkIfname(name, 'tap');
  // The kernel refuses them too (dev_valid_name); here they would also be paths under <base>/taps.
  if (name === '.' || name === '..') throw configError('tap', name, `invalid interface name \`${name}\``);
  if (name === ALL) throw configError('tap', name, '`all` is a reserved word -- cannot use for tap name');
}

/**
 * The host taps of one engine. Kernel work happens under the Network's lock (bridges, the tap
 * counter and aliases are shared with container NICs); records are saved before links are made, and
 * links carry our alias tag, so a crash half-way is cleaned up by reconcile() or nuke().
 */
export class HostTaps {
  private readonly taps = new Map<string, TapRecord>();
  private readonly net: NetHost;
  private readonly dir: string;
  private ready?: Promise<void>;

  constructor(
    private readonly host: Host,
    private readonly network: Network,
    base: string,
  ) {
    this.net = netHostOf(host);
    this.dir = join(base, TAPS_DIR);
  }

  /** `tap create`: returns the new tap (its name when none was given). */
  async create(given: TapRequest, namespace = DEFAULT_NAMESPACE): Promise<HostTapInfo> {
    // JSON callers may send null for an absent field.
    const req: TapRequest = {
      vlan: given.vlan,
      bridge: given.bridge ?? undefined,
      ip: given.ip ?? undefined,
      dhcp: given.dhcp ?? undefined,
      name: given.name ?? undefined,
    };
    checkTapRequest(req);
    await this.load();
    const rec = await this.network.exclusive(async (core) => {
      const vlanId = core.vlans.resolve(req.vlan, namespace);
      const name = req.name ?? core.nextTapName();
      await this.checkFree(core, name);
      const rec: TapRecord = {
        name,
        namespace,
        bridge: req.bridge || core.defaultBridge,
        vlan: req.vlan.trim(),
        vlanId,
        ip: req.ip ?? '',
        dhcp: req.dhcp === true,
        port: portName(core.tag, name),
        dhcpPid: 0,
      };
      this.taps.set(name, rec);
      await this.save();
      await core.save();
      try {
        await core.backend.addPorts([{ bridge: rec.bridge, port: rec.port, vlan: vlanId }], tapLines(core.tag, name, rec.port, rec.ip));
      } catch (e) {
        await this.remove(core, rec);
        throw e;
      }
      return rec;
    });
    if (rec.dhcp) await this.dhcp(rec);
    return info(rec);
  }

  /**
   * `tap delete NAME|all`: with a namespace, only that namespace's taps (minimega keeps host taps per
   * namespace, and a named tap of another one is refused in its own words).
   */
  async delete(name: string, namespace?: string): Promise<void> {
    await this.load();
    await this.network.exclusive(async (core) => {
      const mine = (r: TapRecord) => namespace === undefined || (r.namespace ?? DEFAULT_NAMESPACE) === namespace;
      if (name !== ALL) {
        const rec = this.taps.get(name);
        if (!rec) {
          // minimega's words, with the name: a container's tap is `not a host tap`, any other an `unknown tap`.
          const vmTap = (await this.network.taggedLinks()).some((l) => l.kind === 'tap' && l.name === name);
          throw new EngineError('E_NOT_FOUND', `${vmTap ? 'not a host tap' : 'unknown tap'}: ${name}`, { op: 'tap delete', path: name });
        }
        if (!mine(rec)) {
          throw new EngineError('E_NOT_FOUND', 'not a host tap in active namespace', {
            op: 'tap delete',
            path: name,
            namespace: namespace ?? DEFAULT_NAMESPACE,
            owner: rec.namespace ?? DEFAULT_NAMESPACE,
          });
        }
      }
      const doomed = name === ALL ? [...this.taps.values()].filter(mine) : [this.taps.get(name)!];
      for (const rec of doomed) await this.remove(core, rec);
    });
  }

  /** The taps (of one namespace, when given). */
  async list(namespace?: string): Promise<HostTapInfo[]> {
    await this.load();
    return [...this.taps.values()]
      .filter((r) => namespace === undefined || (r.namespace ?? DEFAULT_NAMESPACE) === namespace)
      .map(info)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The tap holding `name`, if it is one of ours. */
  async get(name: string): Promise<HostTapInfo | undefined> {
    await this.load();
    const rec = this.taps.get(name);
    return rec && info(rec);
  }

  /** The bridge and the bridge-side port of host tap `name`, if it is one of ours (for `tap mirror`). */
  async portOf(name: string): Promise<{ bridge: string; port: string } | undefined> {
    await this.load();
    const rec = this.taps.get(name);
    return rec && { bridge: rec.bridge, port: rec.port };
  }

  /**
   * After a daemon restart: taps whose link is gone are forgotten (their DHCP client stopped);
   * links of ours without a record (a create cut short) are deleted. Returns what it did, for the log.
   */
  async reconcile(): Promise<string[]> {
    await this.load();
    return this.network.exclusive(async (core) => {
      const notes: string[] = [];
      for (const rec of [...this.taps.values()]) {
        if (await this.net.exists(`${SYS_NET}/${rec.name}`)) continue;
        notes.push(`tap ${rec.name} was gone after the restart; forgotten`);
        await this.remove(core, rec);
      }
      const known = new Set([...this.taps.values()].flatMap((r) => [r.name, r.port]));
      const stray = (await this.network.taggedLinks()).filter((l) => l.kind === 'host' && !known.has(l.name)).map((l) => l.name);
      if (stray.length) notes.push(`removed unrecorded host tap links ${stray.join(', ')}`);
      await runBatch(
        this.net,
        'ip',
        stray.map((l) => `link del ${l}`),
        { op: 'reconcile taps', force: true },
      );
      return notes;
    });
  }

  /** Every host tap and DHCP client of this engine, by record and by tag; then the records. */
  async nuke(): Promise<void> {
    await this.load();
    await this.network.exclusive(async (core) => {
      for (const rec of [...this.taps.values()]) await this.remove(core, rec);
      const stray = (await this.network.taggedLinks()).filter((l) => l.kind === 'host').map((l) => l.name);
      await runBatch(
        this.net,
        'ip',
        stray.map((l) => `link del ${l}`),
        { op: 'nuke taps', force: true },
      );
      await this.host.removeTree(this.dir);
    });
  }

  // ---- internals ----

  private async checkFree(core: NetCore, name: string): Promise<void> {
    const existing = this.taps.get(name);
    if (existing) {
      // minimega's words exactly (its taps_lifecycle transcript); the tap, bridge and VLAN travel in the detail.
      throw new EngineError('E_EXISTS', 'tap already on bridge', { op: 'tap create', path: name, bridge: existing.bridge, vlan: existing.vlan });
    }
    for (const dev of [name, portName(core.tag, name)]) {
      if (await this.net.exists(`${SYS_NET}/${dev}`)) {
        throw new EngineError('E_EXISTS', `tap create: interface ${dev} already exists on this host`, { op: 'tap create', path: dev });
      }
    }
  }

  /** Runs the tap's DHCP client outside the lock (it may wait DHCP_TIMEOUT_S); a failure removes the tap. */
  private async dhcp(rec: TapRecord): Promise<void> {
    const dir = join(this.dir, rec.name);
    try {
      rec.dhcpPid = await startDhclient(this.host, dir, rec.name);
    } catch (e) {
      await this.network.exclusive((core) => (this.taps.get(rec.name) === rec ? this.remove(core, rec) : Promise.resolve()));
      throw e;
    }
    await this.network.exclusive(async () => {
      // Deleted while the client was starting: the client goes too.
      if (this.taps.get(rec.name) !== rec) await stopDhclient(this.host, dir, rec.dhcpPid);
      else await this.save();
    });
  }

  /** Stops the tap's client, deletes the pair, the bridge if it is now unused, and the record. */
  private async remove(core: NetCore, rec: TapRecord): Promise<void> {
    const dir = join(this.dir, rec.name);
    if (rec.dhcp) await stopDhclient(this.host, dir, rec.dhcpPid);
    const present = (await this.net.exists(`${SYS_NET}/${rec.name}`)) ? [rec.name] : (await this.net.exists(`${SYS_NET}/${rec.port}`)) ? [rec.port] : [];
    await runBatch(
      this.net,
      'ip',
      present.map((l) => `link del ${l}`),
      { op: `tap delete ${rec.name}`, force: true },
    );
    await this.host.removeTree(dir);
    this.taps.delete(rec.name);
    await this.save();
    await core.backend.removeBridgeIfUnused(rec.bridge);
    await core.save();
  }

  private load(): Promise<void> {
    this.ready ??= (async () => {
      const path = join(this.dir, STATE_FILE);
      if (!(await this.host.exists(path))) return;
      const s = JSON.parse(await this.host.readFile(path)) as Partial<TapsStateJSON>;
      for (const t of s.taps ?? []) this.taps.set(t.name, t);
    })().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** Writes the records; with none left, <base>/taps goes (nothing of a deleted tap stays). */
  private async save(): Promise<void> {
    if (this.taps.size === 0) return this.host.removeTree(this.dir);
    await this.host.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const s: TapsStateJSON = { version: 1, taps: [...this.taps.values()] };
    await this.host.writeFileAtomic(join(this.dir, STATE_FILE), JSON.stringify(s, null, 1));
  }
}

function info(r: TapRecord): HostTapInfo {
  return { name: r.name, namespace: r.namespace ?? DEFAULT_NAMESPACE, bridge: r.bridge, vlan: r.vlan, vlanId: r.vlanId, ip: r.ip, dhcp: r.dhcp };
}
