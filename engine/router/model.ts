/**
 * One VM's router configuration, as minimega keeps it in memory until `router VM commit` writes it for
 * minirouter: addresses per NIC and on the loopback, dnsmasq's DHCP servers, host records, upstream
 * and router advertisements, the default gateway, and bird's static, named static, OSPF and BGP
 * routes. Every change and removal fails with minimega's words (router.go), and a removal of
 * something absent is an error where minimega's is.
 *
 * Firewall rules are not kept: minimega refuses them on container routers and all of ours are.
 */
import type { RouterInfo } from '../api/types.js';
import { atoi, atoiIgnoringError, compareBytes, ipBytes, isCidr } from './go-text.js';

export interface DhcpServer {
  listen: string;
  low: string;
  high: string;
  router: string;
  dns: string;
  /** MAC → address. */
  statics: Map<string, string>;
}

export interface OspfArea {
  area: string;
  /** Interface (a NIC index or `lo`) → its options. */
  interfaces: Map<string, Map<string, string>>;
  /** Networks and named static route sets it exports. */
  exports: Set<string>;
}

export interface BgpProcess {
  process: string;
  localIp: string;
  localAs: string;
  neighborIp: string;
  neighborAs: string;
  routeReflector: boolean;
  exports: Set<string>;
}

const NO_ROUTER_ID = '0.0.0.0';

/** A router as the daemon keeps it on disk (routers.ts): plain arrays for the maps. */
export interface RouterRecord {
  ips: string[][];
  loopbacks: [number, string][];
  logLevel: string;
  updateIps: boolean;
  dhcp: { listen: string; low: string; high: string; router: string; dns: string; statics: [string, string][] }[];
  dns: [string, string[]][];
  upstream: string;
  gateway: string;
  ra: string[];
  staticRoutes: [string, string][];
  namedRoutes: [string, [string, string][]][];
  ospf: { area: string; interfaces: [string, [string, string][]][]; exports: string[] }[];
  bgp: { process: string; localIp: string; localAs: string; neighborIp: string; neighborAs: string; routeReflector: boolean; exports: string[] }[];
  routerId: string;
}

/** net.ParseCIDR succeeds, or `dhcp`. */
function validAddress(ip: string): boolean {
  return ip === 'dhcp' || isCidr(ip);
}

const sorted = <T>(keys: Iterable<T>): T[] => [...keys].sort();

export class Router {
  ips: string[][];
  loopbacks = new Map<number, string>();
  logLevel = 'error';
  /** Addresses changed since the last commit: only then does the file flush and re-add them. */
  updateIps = false;
  dhcp = new Map<string, DhcpServer>();
  dns = new Map<string, string[]>();
  upstream = '';
  gateway = '';
  ra = new Set<string>();
  staticRoutes = new Map<string, string>();
  namedRoutes = new Map<string, Map<string, string>>();
  ospf = new Map<string, OspfArea>();
  bgp = new Map<string, BgpProcess>();
  routerId = NO_ROUTER_ID;

  /** A router for a VM with `nics` network interfaces. */
  constructor(nics: number) {
    this.ips = Array.from({ length: nics }, () => []);
  }

  setRouterIdText(id: string): void {
    if (!ipBytes(id)) throw new Error(`invalid routerid: ${id}`);
    this.routerId = id;
  }

  /** An address on NIC `network`, or on the loopback (kept by that index, one per index). */
  interfaceAdd(network: string, ip: string, loopback: boolean): void {
    let n: number;
    try {
      n = atoi(network);
    } catch (e) {
      throw new Error(`invalid network: ${network} : ${(e as Error).message}`);
    }
    if (loopback) {
      if (ip === 'dhcp') throw new Error(`Cannot put ${ip} on loopback`);
      if (!validAddress(ip)) throw new Error(`invalid IP: ${ip}`);
      if ([...this.loopbacks.values()].includes(ip)) throw new Error(`IP ${ip} already exists`);
      this.loopbacks.set(n, ip);
      this.updateIps = true;
      return;
    }
    if (n < 0 || n >= this.ips.length) throw new Error(`no such network index: ${n}`);
    if (!validAddress(ip)) throw new Error(`invalid IP: ${ip}`);
    if (this.ips[n]!.includes(ip)) throw new Error(`IP ${ip} already exists`);
    this.ips[n]!.push(ip);
    this.updateIps = true;
  }

  /**
   * Remove addresses: everything (no network), every loopback (`all lo`), the loopback of an index
   * (whatever its address, as minimega), every address of a NIC (no ip, or `all`), or one.
   */
  interfaceDel(network: string | undefined, ip: string | undefined, loopback: boolean): void {
    if (network === undefined || network === '') {
      this.ips = this.ips.map(() => []);
      this.loopbacks.clear();
      this.updateIps = true;
      return;
    }
    const n = atoi(network);
    if (loopback) {
      if (ip === 'all') {
        this.loopbacks.clear();
        this.updateIps = true;
        return;
      }
      // minimega forgets it without marking the addresses changed.
      this.loopbacks.delete(n);
      return;
    }
    if (n < 0 || n >= this.ips.length) throw new Error(`no such network index: ${n}`);
    if (ip === undefined || ip === '' || ip === 'all') {
      this.ips[n] = [];
      this.updateIps = true;
      return;
    }
    if (!validAddress(ip)) throw new Error(`invalid IP: ${ip}`);
    const at = this.ips[n]!.indexOf(ip);
    if (at < 0) throw new Error(`no such network: ${ip}`);
    this.ips[n]!.splice(at, 1);
    this.updateIps = true;
  }

  dhcpServer(listen: string): DhcpServer {
    let d = this.dhcp.get(listen);
    if (!d) {
      d = { listen, low: '', high: '', router: '', dns: '', statics: new Map() };
      this.dhcp.set(listen, d);
    }
    return d;
  }

  /** `clear router VM dhcp [LISTEN [range|router|dns|static [MAC]]]`. */
  dhcpDel(listen: string | undefined, what: 'range' | 'router' | 'dns' | 'static' | undefined, mac: string | undefined): void {
    if (listen === undefined || listen === '') {
      this.dhcp.clear();
      return;
    }
    const d = this.dhcp.get(listen);
    if (!d) throw new Error(`no such address: ${listen}`);
    if (what === 'range') {
      d.low = '';
      d.high = '';
    } else if (what === 'router') d.router = '';
    else if (what === 'dns') d.dns = '';
    else if (what === 'static') {
      if (mac === undefined || mac === '') d.statics.clear();
      else if (!d.statics.delete(mac)) throw new Error(`no such mac: ${mac}`);
    } else this.dhcp.delete(listen);
  }

  dnsAdd(ip: string, hostname: string): void {
    this.dns.set(ip, [...(this.dns.get(ip) ?? []), hostname]);
  }

  dnsDel(ip: string | undefined): void {
    if (ip === undefined || ip === '') this.dns.clear();
    else if (!this.dns.delete(ip)) throw new Error(`no such ip: ${ip}`);
  }

  raDel(subnet: string | undefined): void {
    if (subnet === undefined || subnet === '') this.ra.clear();
    else if (!this.ra.delete(subnet)) throw new Error(`no such subnet: ${subnet}`);
  }

  /** A static route; with a name it joins that named set, where next hop `0` means none. */
  staticAdd(network: string, nextHop: string, name: string | undefined): void {
    if (name) {
      const set = this.namedRoutes.get(name) ?? new Map<string, string>();
      this.namedRoutes.set(name, set);
      set.set(network, nextHop === '0' ? '' : nextHop);
    } else this.staticRoutes.set(network, nextHop);
  }

  staticDel(network: string | undefined): void {
    if (network === undefined || network === '' || network === 'all') this.staticRoutes.clear();
    else if (!this.staticRoutes.delete(network)) throw new Error(`no such static route: ${network}`);
  }

  namedStaticDel(network: string | undefined, name: string | undefined): void {
    if (name === undefined || name === '') {
      this.namedRoutes.clear();
      return;
    }
    const set = this.namedRoutes.get(name);
    if (!set) throw new Error(`no such named static route: ${name}`);
    if (network === 'all') this.namedRoutes.delete(name);
    else if (!set.delete(network ?? '')) throw new Error(`no such network in named static route: ${network}`);
  }

  ospfArea(area: string): OspfArea {
    let o = this.ospf.get(area);
    if (!o) {
      o = { area, interfaces: new Map(), exports: new Set() };
      this.ospf.set(area, o);
    }
    return o;
  }

  /** An OSPF interface; its options start afresh, and an option replaces the others, as minimega. */
  ospfAdd(area: string, network: string, option?: string, value?: string): void {
    const options = new Map<string, string>();
    if (option) options.set(option, value ?? '');
    this.ospfArea(area).interfaces.set(network, options);
  }

  ospfDel(area: string | undefined, network: string | undefined): void {
    if (area === undefined || area === '') {
      this.ospf.clear();
      return;
    }
    const o = this.ospf.get(area);
    if (!o) throw new Error(`no such area: ${area}`);
    if (network === undefined || network === '') o.interfaces.clear();
    else if (!o.interfaces.delete(network)) throw new Error(`no such interface: ${network}`);
  }

  ospfDelExport(area: string | undefined, filter: string | undefined): void {
    if (area === undefined || area === '') {
      this.ospf.clear();
      return;
    }
    const o = this.ospf.get(area);
    if (!o) throw new Error(`no such area: ${area}`);
    if (filter === undefined || filter === '') o.exports.clear();
    else if (!o.exports.delete(filter)) throw new Error(`no such filter: ${filter}`);
  }

  bgpProcess(process: string): BgpProcess {
    let b = this.bgp.get(process);
    if (!b) {
      b = { process, localIp: '', localAs: '0', neighborIp: '', neighborAs: '0', routeReflector: false, exports: new Set() };
      this.bgp.set(process, b);
    }
    return b;
  }

  /** The local or neighbor end of a BGP session; a bad AS number is 0, as minimega ignores the error. */
  bgpAdd(process: string, side: 'local' | 'neighbor', ip: string, as: string): void {
    const b = this.bgpProcess(process);
    if (side === 'local') {
      b.localIp = ip;
      b.localAs = atoiIgnoringError(as);
    } else {
      b.neighborIp = ip;
      b.neighborAs = atoiIgnoringError(as);
    }
  }

  /** `clear router VM route bgp NAME [rrclient|local|neighbor]`. */
  bgpDel(process: string, what: 'rrclient' | 'local' | 'neighbor' | undefined): void {
    const b = this.bgp.get(process);
    if (!b) throw new Error(`no such bgp process: ${process}`);
    if (what === 'rrclient') b.routeReflector = false;
    else if (what === 'local') {
      b.localIp = '';
      b.localAs = '0';
    } else if (what === 'neighbor') {
      b.neighborIp = '';
      b.neighborAs = '0';
    } else this.bgp.delete(process);
  }

  /** `clear router VM route`: static, named, OSPF and BGP routes. */
  routesDel(): void {
    this.staticRoutes.clear();
    this.namedRoutes.clear();
    this.ospf.clear();
    this.bgp.clear();
  }

  /** `clear router VM`: everything but the log level, upstream DNS and gateway (minimega keeps those). */
  clear(): void {
    this.interfaceDel(undefined, undefined, true);
    this.dns.clear();
    this.ra.clear();
    this.routesDel();
    this.dhcp.clear();
    this.routerId = NO_ROUTER_ID;
  }

  /**
   * The router ID a commit uses when none was set: the highest loopback address if there is one, else
   * the highest NIC address (compared as net.ParseIP's 16 bytes); it sticks once chosen.
   */
  chooseRouterId(): string {
    if (this.routerId !== NO_ROUTER_ID) return this.routerId;
    const candidates = this.loopbacks.size > 0 ? [...this.loopbacks.values()] : this.ips.flat();
    let best = ipBytes(this.routerId)!;
    for (const cidr of candidates) {
      const addr = cidr.split('/')[0]!;
      const b = ipBytes(addr);
      if (b && compareBytes(b, best) > 0) {
        best = b;
        this.routerId = addr;
      }
    }
    return this.routerId;
  }

  record(): RouterRecord {
    return {
      ips: this.ips.map((l) => [...l]),
      loopbacks: [...this.loopbacks],
      logLevel: this.logLevel,
      updateIps: this.updateIps,
      dhcp: [...this.dhcp.values()].map((d) => ({ ...d, statics: [...d.statics] })),
      dns: [...this.dns].map(([ip, hosts]) => [ip, [...hosts]]),
      upstream: this.upstream,
      gateway: this.gateway,
      ra: [...this.ra],
      staticRoutes: [...this.staticRoutes],
      namedRoutes: [...this.namedRoutes].map(([name, set]) => [name, [...set]]),
      ospf: [...this.ospf.values()].map((o) => ({ area: o.area, interfaces: [...o.interfaces].map(([k, v]) => [k, [...v]]), exports: [...o.exports] })),
      bgp: [...this.bgp.values()].map((b) => ({ ...b, exports: [...b.exports] })),
      routerId: this.routerId,
    };
  }

  /** A router from its record; throws on a record of the wrong shape. */
  static fromRecord(r: RouterRecord): Router {
    const out = new Router(0);
    out.ips = r.ips.map((l) => l.map(String));
    out.loopbacks = new Map(r.loopbacks.map(([k, v]) => [Number(k), String(v)]));
    out.logLevel = String(r.logLevel);
    out.updateIps = r.updateIps === true;
    out.dhcp = new Map(r.dhcp.map((d) => [d.listen, { ...d, statics: new Map(d.statics) }]));
    out.dns = new Map(r.dns.map(([ip, hosts]) => [ip, [...hosts]]));
    out.upstream = String(r.upstream);
    out.gateway = String(r.gateway);
    out.ra = new Set(r.ra);
    out.staticRoutes = new Map(r.staticRoutes);
    out.namedRoutes = new Map(r.namedRoutes.map(([name, set]) => [name, new Map(set)]));
    out.ospf = new Map(
      r.ospf.map((o) => [o.area, { area: o.area, interfaces: new Map(o.interfaces.map(([k, v]) => [k, new Map(v)])), exports: new Set(o.exports) }]),
    );
    out.bgp = new Map(r.bgp.map((b) => [b.process, { ...b, exports: new Set(b.exports) }]));
    out.routerId = String(r.routerId);
    return out;
  }

  /** The configuration in printing order (keys sorted as minimega sorts them). */
  info(vm: string, log: string): RouterInfo {
    return {
      vm,
      ips: this.ips.map((l) => [...l]),
      loopbacks: sorted(this.loopbacks.keys()).map((index) => ({ index, ip: this.loopbacks.get(index)! })),
      logLevel: this.logLevel,
      dhcp: sorted(this.dhcp.keys()).map((k) => {
        const d = this.dhcp.get(k)!;
        const statics = sorted(d.statics.keys()).map((mac) => ({ mac, ip: d.statics.get(mac)! }));
        return { listen: d.listen, low: d.low, high: d.high, router: d.router, dns: d.dns, statics };
      }),
      dns: sorted(this.dns.keys()).map((ip) => ({ ip, hosts: [...this.dns.get(ip)!] })),
      upstream: this.upstream,
      gateway: this.gateway,
      ra: sorted(this.ra),
      staticRoutes: sorted(this.staticRoutes.keys()).map((network) => ({ network, nextHop: this.staticRoutes.get(network)! })),
      namedRoutes: sorted(this.namedRoutes.keys()).map((name) => {
        const set = this.namedRoutes.get(name)!;
        return { name, routes: sorted(set.keys()).map((network) => ({ network, nextHop: set.get(network)! })) };
      }),
      ospf: sorted(this.ospf.keys()).map((k) => {
        const o = this.ospf.get(k)!;
        const interfaces = sorted(o.interfaces.keys()).map((network) => {
          const opts = o.interfaces.get(network)!;
          return { network, options: sorted(opts.keys()).map((option) => ({ option, value: opts.get(option)! })) };
        });
        return { area: o.area, interfaces, exports: sorted(o.exports) };
      }),
      bgp: sorted(this.bgp.keys()).map((k) => {
        const b = this.bgp.get(k)!;
        return { ...b, exports: sorted(b.exports) };
      }),
      routerId: this.routerId,
      log,
    };
  }
}
