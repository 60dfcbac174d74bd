// `dnsmasq start|kill|configure` and the list: Debian's dnsmasq serving DHCP and DNS on a host tap.
// Each server lives in <base>/dnsmasq/<id>/ (pid file, leases, log, the configure files and our
// record) and runs detached from the daemon, so it keeps serving across a daemon restart and is
// found again by its pid file; `dnsmasq kill` and `nuke` stop it and remove the directory.
import { join } from 'node:path';
import type { DnsmasqEntry, DnsmasqInfo } from '../api/types.js';
import { EngineError, configError } from '../errors.js';
import type { Host } from '../host/host.js';
import { inSubnet, isHostAddress, parseIpv4, subnetText, type Cidr4 } from '../net/ipv4.js';
import type { HostTaps } from '../net/taps.js';
import { firstLine, isOurs, readPidFile, stopDaemon, waitForPidFile } from './daemon-process.js';
import {
  addSetting,
  dhcpHostLine,
  dhcpHostFile,
  LEGACY_DHCP_HOSTS,
  dnsmasqArgv,
  dnsmasqFiles,
  DNSMASQ_DIR,
  emptySettings,
  hostsText,
  optsText,
  parseLeases,
  resolvText,
  settingRows,
  type DnsmasqFiles,
  type DnsmasqPlan,
  type DnsmasqSetting,
  type DnsmasqSettings,
} from './dnsmasq-config.js';

/** minimega's wildcard. */
const ALL = 'all';

interface ServerRecord {
  id: number;
  plan: DnsmasqPlan;
  settings: DnsmasqSettings;
  /** The pid seen at start (the pid file is the truth). */
  pid: number;
}

/** How long `dnsmasq configure` waits for dnsmasq's log to say it read the files it changed. */
export const READ_CONFIRM_MS = 2000;
/** dnsmasq's log past this many bytes from where a configure began is not searched. */
const READ_CONFIRM_WINDOW = 256 * 1024;

export class DnsmasqServers {
  private readonly servers = new Map<number, ServerRecord>();
  private readonly root: string;
  private nextId = 0;
  private ready?: Promise<void>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: Host,
    private readonly taps: HostTaps,
    base: string,
    /** Where notes about servers that vanished go (the engine log). */
    private readonly log: (message: string) => void = () => undefined,
    /** How long `dnsmasq configure` waits for dnsmasq to say it read what changed (0: not at all). */
    private readonly readConfirmMs = READ_CONFIRM_MS,
  ) {
    this.root = join(base, DNSMASQ_DIR);
  }

  /**
   * `dnsmasq start LISTEN LOW HIGH [CONFIG]`: LISTEN must be the address of a host tap and LOW..HIGH
   * inside its subnet. `dnsmasq start CONFIG` (listen '') runs only what the config file says.
   */
  start(listen: string, low: string, high: string, config = ''): Promise<DnsmasqInfo> {
    return this.locked(async () => {
      await this.prune(); // a server that died on its own no longer holds its tap
      const plan = await this.plan(listen, low, high, config);
      const id = this.nextId++;
      const f = dnsmasqFiles(join(this.root, String(id)));
      const rec: ServerRecord = { id, plan, settings: emptySettings(), pid: 0 };
      try {
        await this.writeFiles(f, rec);
        await this.saveRecord(f, rec);
        const r = await this.host.run(dnsmasqArgv(f, plan));
        if (r.code !== 0) {
          throw new EngineError('E_HOST', `dnsmasq start: ${firstLine(r.stderr, `dnsmasq exited ${r.code}`)}`, { op: 'dnsmasq start', path: f.dir });
        }
        rec.pid = await waitForPidFile(this.host, f.pid, 'dnsmasq start');
        await this.saveRecord(f, rec);
      } catch (e) {
        await stopDaemon(this.host, f.pid).catch(() => undefined); // Best-effort: nothing of a failed start may stay.
        await this.host.removeTree(this.servers.size === 0 ? this.root : f.dir);
        throw e;
      }
      this.servers.set(id, rec);
      return this.info(rec, rec.pid);
    });
  }

  /** `dnsmasq kill ID|all`: SIGTERM (SIGKILL after a grace period), then the directory goes. */
  kill(id: string): Promise<void> {
    return this.locked(async () => {
      const doomed = id === ALL ? [...this.servers.values()] : [this.find(id)];
      for (const rec of doomed) await this.remove(rec);
    });
  }

  /** The list; servers that died on their own are reported once and removed. */
  list(): Promise<DnsmasqInfo[]> {
    return this.locked(async () => {
      await this.prune();
      const out: DnsmasqInfo[] = [];
      for (const rec of this.servers.values()) out.push(this.info(rec, await readPidFile(this.host, this.files(rec).pid)));
      return out.sort((a, b) => a.id - b.id);
    });
  }

  /**
   * `dnsmasq configure ID|all KIND [ARGS…]`: with ARGS adds an entry (rewriting the file dnsmasq
   * watches), without lists the entries of KIND.
   */
  configure(id: string, kind: DnsmasqSetting, args: readonly string[]): Promise<DnsmasqEntry[]> {
    return this.locked(async () => {
      const targets = id === ALL ? [...this.servers.values()] : [this.find(id)];
      if (args.length > 0) {
        const before = new Map(targets.map((rec) => [rec, structuredClone(rec.settings)]));
        for (const rec of targets) addSetting(rec.settings, kind, args); // all checked before any file changes
        for (const rec of targets) {
          const f = this.files(rec);
          const from = (await this.host.lstat(f.log))?.size ?? 0;
          const changed = await this.writeFiles(f, rec, before.get(rec));
          await this.saveRecord(f, rec);
          await this.confirmRead(rec, f, changed, from);
        }
        return [];
      }
      return targets.flatMap((rec) => settingRows(rec.settings, kind).map(([key, value]) => ({ id: rec.id, key, value })));
    });
  }

  /** MAC → leased IPv4 over every running server (for `vm info ip`). */
  async leases(): Promise<Map<string, string>> {
    await this.load();
    const best = new Map<string, { ip: string; expiry: number }>();
    for (const rec of this.servers.values()) {
      const text = await this.host.readFile(this.files(rec).leases).catch(() => '');
      for (const [mac, l] of parseLeases(text)) {
        const old = best.get(mac);
        if (!old || l.expiry >= old.expiry) best.set(mac, l);
      }
    }
    return new Map([...best].map(([mac, l]) => [mac, l.ip]));
  }

  /**
   * After a daemon restart: servers still running are adopted; the others (and directories of a
   * start cut short) are removed and reported. Returns the notes.
   */
  recover(): Promise<string[]> {
    return this.locked(async () => {
      const notes: string[] = [];
      for (const rec of [...this.servers.values()]) {
        const f = this.files(rec);
        if (await isOurs(this.host, await readPidFile(this.host, f.pid), f.pid)) continue;
        notes.push(`dnsmasq ${rec.id} was not running after the daemon restart; removed ${f.dir}`);
        await this.remove(rec);
      }
      return notes;
    });
  }

  /** Every server of this base and the whole <base>/dnsmasq directory. */
  nuke(): Promise<void> {
    return this.locked(async () => {
      for (const rec of [...this.servers.values()]) await this.remove(rec);
      for (const name of await this.host.readdir(this.root).catch(() => [] as string[])) {
        await stopDaemon(this.host, dnsmasqFiles(join(this.root, name)).pid);
      }
      await this.host.removeTree(this.root);
    });
  }

  // ---- internals ----

  private async plan(listen: string, low: string, high: string, config: string): Promise<DnsmasqPlan> {
    if (config !== '' && !config.startsWith('/')) {
      throw configError('config', config, `dnsmasq start: config file \`${config}\` must be an absolute host path`);
    }
    if (config !== '' && (await this.host.kind(config)) !== 'file') {
      throw configError('config', config, `dnsmasq start: config file \`${config}\` does not exist`);
    }
    if (listen === '') return { listen, low, high, iface: '', rangeSize: 0, config };
    const addr = ipv4Arg('listen address', listen);
    const lo = ipv4Arg('low dhcp range', low);
    const hi = ipv4Arg('high dhcp range', high);
    const { iface, cidr } = await this.holder(listen, addr);
    for (const [field, value, n] of [
      ['low dhcp range', low, lo],
      ['high dhcp range', high, hi],
    ] as const) {
      if (!isHostAddress(cidr, n)) {
        const where = inSubnet(cidr, n) ? 'the network or broadcast address of' : 'outside';
        throw configError(field, value, `dnsmasq start: ${field} ${value} is ${where} ${subnetText(cidr)}, the subnet of ${listen} on ${iface}`);
      }
    }
    if (lo > hi) throw configError('low dhcp range', low, `dnsmasq start: low dhcp range ${low} is above high dhcp range ${high}`);
    const busy = [...this.servers.values()].find((s) => s.plan.iface === iface);
    if (busy) throw new EngineError('E_EXISTS', `dnsmasq start: dnsmasq ${busy.id} already serves ${iface}`, { op: 'dnsmasq start', path: iface });
    return { listen, low, high, iface, rangeSize: hi - lo + 1, config };
  }

  /** The host tap holding `listen` and its subnet. */
  private async holder(listen: string, addr: number): Promise<{ iface: string; cidr: Cidr4 }> {
    const r = await this.host.run(['ip', '-j', '-4', 'addr', 'show']);
    if (r.code !== 0) throw new EngineError('E_HOST', `dnsmasq start: ip addr show: ${firstLine(r.stderr, 'failed')}`, { op: 'dnsmasq start', path: 'ip' });
    const links = JSON.parse(r.stdout || '[]') as { ifname: string; addr_info?: { local: string; prefixlen: number }[] }[];
    for (const l of links) {
      const a = (l.addr_info ?? []).find((x) => x.local === listen);
      if (!a) continue;
      if (!(await this.taps.get(l.ifname))) {
        throw configError(
          'listen address',
          listen,
          `dnsmasq start: ${listen} is on ${l.ifname}, which is not a host tap (tap create VLAN ip ${listen}/24 makes one)`,
        );
      }
      return { iface: l.ifname, cidr: { addr, prefix: a.prefixlen } };
    }
    throw configError('listen address', listen, `dnsmasq start: no host tap holds ${listen} (tap create VLAN ip ${listen}/24 makes one)`);
  }

  private find(id: string): ServerRecord {
    const n = /^[0-9]{1,9}$/.test(id) ? Number(id) : NaN;
    const rec = this.servers.get(n);
    if (!rec) throw new EngineError('E_NOT_FOUND', `invalid dnsmasq id: ${id}`, { op: 'dnsmasq', path: id });
    return rec;
  }

  /** Stops the server and removes its directory (and <base>/dnsmasq with the last one). */
  private async remove(rec: ServerRecord): Promise<void> {
    const f = this.files(rec);
    await stopDaemon(this.host, f.pid, rec.pid);
    this.servers.delete(rec.id);
    await this.host.removeTree(this.servers.size === 0 ? this.root : f.dir);
  }

  /** Servers whose process is gone (killed from outside, crashed) are removed and reported. */
  private async prune(): Promise<void> {
    for (const rec of [...this.servers.values()]) {
      const f = this.files(rec);
      if (await isOurs(this.host, await readPidFile(this.host, f.pid), f.pid)) continue;
      this.log(`dnsmasq ${rec.id} exited on its own; removed ${f.dir}`);
      await this.remove(rec);
    }
  }

  private files(rec: ServerRecord): DnsmasqFiles {
    return dnsmasqFiles(join(this.root, String(rec.id)));
  }

  /**
   * The files dnsmasq reads: all of them for a new server; after `dnsmasq configure`, those whose text
   * changed since `before`. A new MAC's static lease is a file of its own (dhcpHostFile), which dnsmasq
   * reads once; what it cannot take by reading a file again (a MAC's new address, options, which it
   * would add beside the old) is written and then read afresh on SIGHUP, which replaces everything of
   * the watched directories. --hostsdir (DNS names) replaces a re-read file's names by itself; the
   * resolv file is polled.
   */
  private async writeFiles(f: DnsmasqFiles, rec: ServerRecord, before?: DnsmasqSettings): Promise<string[]> {
    const s = rec.settings;
    /** Files dnsmasq reads when they change (the resolv file it polls is not among them). */
    const changed: string[] = [];
    const write = async (path: string, text: string, old: string | undefined, watched = true) => {
      if (text === old) return;
      await this.host.createFile(path, text, 0o644);
      if (watched) changed.push(path);
    };
    if (!before) for (const d of [this.root, f.dir, f.hostsDir, f.dhcpHostsDir, f.optsDir]) await this.host.mkdir(d, { recursive: true, mode: 0o755 });
    let reread = false;
    await write(f.hosts, hostsText(s), before && hostsText(before));
    for (const [mac, ip] of Object.entries(s.hosts)) {
      const old = before?.hosts[mac];
      if (old === ip) continue;
      await write(dhcpHostFile(f.dhcpHostsDir, mac), dhcpHostLine(mac, ip), undefined);
      if (old !== undefined) reread = true;
    }
    const legacy = join(f.dhcpHostsDir, LEGACY_DHCP_HOSTS);
    if (before && (await this.host.exists(legacy))) {
      // A server started by an earlier version holds every lease in one file: each has a file of its own now.
      for (const [mac, ip] of Object.entries(before.hosts)) {
        if (s.hosts[mac] === ip) await this.host.createFile(dhcpHostFile(f.dhcpHostsDir, mac), dhcpHostLine(mac, ip), 0o644);
      }
      await this.host.removeTree(legacy);
      reread = true;
    }
    const opts = optsText(s);
    if (before && opts !== optsText(before)) reread = true;
    await write(f.opts, opts, before && optsText(before));
    await write(f.resolv, resolvText(s), before && resolvText(before), false);
    if (reread) {
      const pid = await readPidFile(this.host, f.pid);
      if (await isOurs(this.host, pid, f.pid)) this.host.kill(pid, 'SIGHUP');
    }
    return changed;
  }

  /**
   * Waits until dnsmasq's log says it read each of `paths` (`read PATH`, after byte `from`), at most
   * readConfirmMs: a container launched right after `dnsmasq configure ip` then meets its static
   * lease. One whose DISCOVER reached dnsmasq first was offered an address from the range and keeps
   * it for the lease time. A server whose own config sends its log elsewhere is only waited for.
   */
  private async confirmRead(rec: ServerRecord, f: DnsmasqFiles, paths: readonly string[], from: number): Promise<void> {
    if (paths.length === 0 || this.readConfirmMs <= 0) return;
    const deadline = Date.now() + this.readConfirmMs;
    for (;;) {
      const seen = await this.host.readBytes(f.log, from, READ_CONFIRM_WINDOW).then(
        (r) => r.data.toString('utf8'),
        () => '',
      );
      if (paths.every((p) => seen.includes(`read ${p}`))) return;
      if (Date.now() >= deadline) {
        this.log(`dnsmasq ${rec.id}: its log does not show it read ${paths.join(', ')} within ${this.readConfirmMs} ms`);
        return;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private saveRecord(f: DnsmasqFiles, rec: ServerRecord): Promise<void> {
    return this.host.writeFileAtomic(f.record, JSON.stringify(rec, null, 1));
  }

  private info(rec: ServerRecord, pid: number): DnsmasqInfo {
    const p = rec.plan;
    return { id: rec.id, address: p.listen, min: p.low, max: p.high, path: this.files(rec).dir, pid, interface: p.iface, config: p.config };
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => this.load()).then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private load(): Promise<void> {
    this.ready ??= (async () => {
      for (const name of await this.host.readdir(this.root).catch(() => [] as string[])) {
        const f = dnsmasqFiles(join(this.root, name));
        const rec = await this.host
          .readFile(f.record)
          .then((t) => JSON.parse(t) as ServerRecord)
          .catch(() => undefined);
        if (!rec || String(rec.id) !== name) {
          // A start cut short before its record: stop whatever it started, drop the directory.
          await stopDaemon(this.host, f.pid);
          await this.host.removeTree(f.dir);
          continue;
        }
        this.servers.set(rec.id, rec);
        this.nextId = Math.max(this.nextId, rec.id + 1);
      }
    })().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }
}

function ipv4Arg(field: string, value: string): number {
  const n = parseIpv4(value);
  if (n === undefined) throw configError(field, value, `dnsmasq start: invalid ${field} \`${value}\`: want a.b.c.d`);
  return n;
}
