// IPv4 addresses as 32-bit numbers: parsing, subnets and ranges for `tap create … ip` and
// `dnsmasq start`. Pure; no effects.

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ADDR_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** An interface address with its prefix: `10.0.0.1/24`. */
export interface Cidr4 {
  addr: number;
  prefix: number;
}

/** The address as a number, or undefined when `s` is not a dotted quad (no leading zeros, no spaces). */
export function parseIpv4(s: string): number | undefined {
  if (!ADDR_RE.test(s)) return undefined;
  return s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** `a.b.c.d/len` (len 0..32), or a bare address with `bare` as its prefix (iproute2 takes /32). */
export function parseCidr4(s: string, bare = 32): Cidr4 | undefined {
  const [a, len, extra] = s.split('/');
  if (extra !== undefined || a === undefined) return undefined;
  const addr = parseIpv4(a);
  if (addr === undefined) return undefined;
  if (len === undefined) return { addr, prefix: bare };
  if (!/^(3[0-2]|[12]?\d)$/.test(len)) return undefined;
  return { addr, prefix: Number(len) };
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The network address of a CIDR. */
export function networkOf(c: Cidr4): number {
  return (c.addr & mask(c.prefix)) >>> 0;
}

/** `10.0.0.0/24` for `10.0.0.1/24`. */
export function subnetText(c: Cidr4): string {
  return `${formatIpv4(networkOf(c))}/${c.prefix}`;
}

/** True when `addr` is inside the subnet of `c`. */
export function inSubnet(c: Cidr4, addr: number): boolean {
  return (addr & mask(c.prefix)) >>> 0 === networkOf(c);
}

/**
 * True when `addr` can be handed to a host of `c`'s subnet: not the network address and not the
 * broadcast address (both are usable only on /31 and /32, RFC 3021).
 */
export function isHostAddress(c: Cidr4, addr: number): boolean {
  if (c.prefix >= 31) return inSubnet(c, addr);
  const net = networkOf(c);
  const bcast = (net | (~mask(c.prefix) >>> 0)) >>> 0;
  return inSubnet(c, addr) && addr !== net && addr !== bcast;
}
