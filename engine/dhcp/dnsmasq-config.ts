// Pure parts of `dnsmasq`: the files of one server, its argv, the texts `dnsmasq configure` writes,
// the checks of what it is given, and the lease file. dnsmasq watches the three directories with
// inotify (--hostsdir, --dhcp-hostsdir, --dhcp-optsdir) and polls --resolv-file, so a configure
// takes effect without a restart, as minimega relies on.
import { join } from 'node:path';
import { configError } from '../errors.js';
import { parseIpv4 } from '../net/ipv4.js';
import { checkIp, isMac } from '../net/netspec.js';

export const DNSMASQ = 'dnsmasq';
/** `<base>/dnsmasq/<id>/` holds everything of server <id>. */
export const DNSMASQ_DIR = 'dnsmasq';

/** What `dnsmasq configure ID KIND` reads or adds to. */
export type DnsmasqSetting = 'ip' | 'dns' | 'upstream' | 'options';

/** A server's settings as `dnsmasq configure` left them (minimega's maps and lists). */
export interface DnsmasqSettings {
  /** MAC → IPv4 (static leases). */
  hosts: Record<string, string>;
  /** IP → hostname (DNS). */
  dns: Record<string, string>;
  upstream: string[];
  options: string[];
}

export function emptySettings(): DnsmasqSettings {
  return { hosts: {}, dns: {}, upstream: [], options: [] };
}

export interface DnsmasqFiles {
  dir: string;
  pid: string;
  leases: string;
  log: string;
  resolv: string;
  hostsDir: string;
  hosts: string;
  dhcpHostsDir: string;
  optsDir: string;
  opts: string;
  /** Our record (root only). */
  record: string;
}

export function dnsmasqFiles(dir: string): DnsmasqFiles {
  return {
    dir,
    pid: join(dir, 'dnsmasq.pid'),
    leases: join(dir, 'dnsmasq.leases'),
    log: join(dir, 'dnsmasq.log'),
    resolv: join(dir, 'resolv.conf'),
    hostsDir: join(dir, 'hostdir'),
    hosts: join(dir, 'hostdir', 'hosts'),
    dhcpHostsDir: join(dir, 'dhcpdir'),
    optsDir: join(dir, 'dhcpoptsdir'),
    opts: join(dir, 'dhcpoptsdir', 'dhcp-options'),
    record: join(dir, 'server.json'),
  };
}

/** What to serve: LISTEN on `iface` handing out LOW..HIGH, or only a user's config file. */
export interface DnsmasqPlan {
  listen: string;
  low: string;
  high: string;
  iface: string;
  /** Addresses in LOW..HIGH, for --dhcp-lease-max. */
  rangeSize: number;
  /** A host path, '' for none. */
  config: string;
}

/** Leases beyond the dynamic range: static ones added by `dnsmasq configure ID ip`. */
const STATIC_LEASE_ROOM = 4096;

/**
 * argv of one server. dnsmasq forks into the background once its sockets are bound, so a start
 * that fails (address in use, bad config) is a nonzero exit with the reason on stderr. Without
 * --conf-file it would also read the host's /etc/dnsmasq.conf.
 */
export function dnsmasqArgv(f: DnsmasqFiles, p: DnsmasqPlan): string[] {
  const argv = [DNSMASQ, '--conf-file=/dev/null'];
  if (p.config !== '') argv.push(`--conf-file=${p.config}`);
  argv.push(
    `--pid-file=${f.pid}`,
    // dnsmasq would drop to nobody, who cannot reach its own files under the root-only base (0700):
    // it stays root, as minimega runs it.
    '--user=root',
    `--log-facility=${f.log}`,
    `--hostsdir=${f.hostsDir}`,
    `--dhcp-hostsdir=${f.dhcpHostsDir}`,
    `--dhcp-optsdir=${f.optsDir}`,
    `--resolv-file=${f.resolv}`,
    `--dhcp-leasefile=${f.leases}`,
  );
  if (p.listen !== '') {
    // One interface and --bind-interfaces: dnsmasq binds its DHCP socket to the device
    // (SO_BINDTODEVICE), so servers on several taps coexist and none answers on another link.
    argv.push(
      `--interface=${p.iface}`,
      '--except-interface=lo',
      '--bind-interfaces',
      `--listen-address=${p.listen}`,
      `--dhcp-range=${p.low},${p.high}`,
      `--dhcp-lease-max=${p.rangeSize + STATIC_LEASE_ROOM}`,
    );
  }
  return argv;
}

/** One dhcp-hostsfile line: `mac,ip`. */
export function dhcpHostLine(mac: string, ip: string): string {
  return `${mac},${ip}\n`;
}

/** dhcp-hostsfile lines. */
export function dhcpHostsText(s: DnsmasqSettings): string {
  return Object.entries(s.hosts)
    .map(([mac, ip]) => dhcpHostLine(mac, ip))
    .join('');
}

/**
 * The file of --dhcp-hostsdir that holds one MAC's static lease. dnsmasq reads a file of that
 * directory again whenever it changes and only ever adds what it reads: an entry read a second time
 * is a duplicate, and dnsmasq then drops the address of that host (its static lease was served from
 * the dynamic range). One file per MAC, each written once, is never read twice.
 */
export function dhcpHostFile(dir: string, mac: string): string {
  return join(dir, `host-${mac.replace(/:/g, '-')}`);
}

/** The single hosts file of --dhcp-hostsdir that earlier versions wrote (removed on the next configure). */
export const LEGACY_DHCP_HOSTS = 'dhcp';

/** hosts(5) lines. */
export function hostsText(s: DnsmasqSettings): string {
  return Object.entries(s.dns)
    .map(([ip, name]) => `${ip}\t${name}\n`)
    .join('');
}

export function resolvText(s: DnsmasqSettings): string {
  return s.upstream.map((ip) => `nameserver ${ip}\n`).join('');
}

export function optsText(s: DnsmasqSettings): string {
  return s.options.map((o) => `${o}\n`).join('');
}

const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;
/** dhcp-option lines: printable ASCII, no newline (dnsmasq reads the file line by line). */
const OPTION_RE = /^[\x21-\x7e][\x20-\x7e]{0,1023}$/;

/** How many words an addition of each kind takes, and what they are. */
export const SETTING_ARITY: Record<DnsmasqSetting, number> = { ip: 2, dns: 2, upstream: 1, options: 1 };
export const SETTING_USAGE: Record<DnsmasqSetting, string> = {
  ip: '<mac address> <ip>',
  dns: '<ip> <hostname>',
  upstream: 'server <ip>',
  options: '<optionstring>',
};

/** Checks a configure addition and applies it to `s`; throws E_CONFIG naming the bad value. */
export function addSetting(s: DnsmasqSettings, kind: DnsmasqSetting, args: readonly string[]): void {
  if (args.length !== SETTING_ARITY[kind]) {
    throw configError(kind, args.join(' '), `dnsmasq configure ${kind}: want ${SETTING_USAGE[kind]}, got \`${args.join(' ')}\``);
  }
  switch (kind) {
    case 'ip': {
      const [mac, ip] = args as [string, string];
      if (!isMac(mac)) throw configError('mac', mac, `invalid mac address \`${mac}\`: want xx:xx:xx:xx:xx:xx`);
      if (parseIpv4(ip) === undefined) throw configError('ip', ip, `invalid ip address \`${ip}\`: want a.b.c.d`);
      s.hosts[mac.toLowerCase()] = ip;
      return;
    }
    case 'dns': {
      const [ip, name] = args as [string, string];
      if (parseIpv4(ip) === undefined) checkIp(ip, 'ip');
      if (ip.includes('/')) throw configError('ip', ip, `invalid ip address \`${ip}\`: want an address without a prefix`);
      if (!HOSTNAME_RE.test(name)) throw configError('hostname', name, `invalid hostname \`${name}\``);
      s.dns[ip] = name;
      return;
    }
    case 'upstream': {
      const [ip] = args as [string];
      if (parseIpv4(ip) === undefined) checkIp(ip, 'upstream');
      if (ip.includes('/')) throw configError('upstream', ip, `invalid ip address \`${ip}\`: want an address without a prefix`);
      s.upstream.push(ip);
      return;
    }
    case 'options': {
      const [opt] = args as [string];
      if (!OPTION_RE.test(opt)) throw configError('options', opt, `invalid dhcp option \`${opt.slice(0, 80)}\`: one line of printable ASCII`);
      s.options.push(opt);
      return;
    }
  }
}

/** Rows (key, value) of one setting, as minimega lists them. */
export function settingRows(s: DnsmasqSettings, kind: DnsmasqSetting): [string, string][] {
  switch (kind) {
    case 'ip':
      return Object.entries(s.hosts);
    case 'dns':
      return Object.entries(s.dns);
    case 'upstream':
      return s.upstream.map((u) => ['', u]);
    case 'options':
      return s.options.map((o) => ['', o]);
  }
}

/**
 * dnsmasq's lease file: `expiry mac ip hostname clientid` per line (expiry 0 = infinite).
 * Returns MAC → IPv4, the lease expiring last winning.
 */
export function parseLeases(text: string): Map<string, { ip: string; expiry: number }> {
  const out = new Map<string, { ip: string; expiry: number }>();
  for (const line of text.split('\n')) {
    const [exp, mac, ip] = line.trim().split(/\s+/);
    if (!exp || !mac || !ip || !isMac(mac) || parseIpv4(ip) === undefined) continue;
    const expiry = Number(exp) === 0 ? Infinity : Number(exp);
    const key = mac.toLowerCase();
    const old = out.get(key);
    if (!old || expiry >= old.expiry) out.set(key, { ip, expiry });
  }
  return out;
}
