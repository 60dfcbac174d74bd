import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { NetSpec } from '../api/types.js';
import { configError } from '../errors.js';

/** Bridge used when a `net` entry names none (minimega's default bridge). */
export const DEFAULT_BRIDGE = 'mega_bridge';
/** IFNAMSIZ - 1: the longest interface name the kernel accepts. */
export const IFNAME_MAX = 15;

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** Go's net.ParseMAC forms: 6, 8 or 20 bytes as `xx:xx…`, `xx-xx…` or `xxxx.xxxx…`. */
const GO_MAC_RES = [/^[0-9a-f]{2}(?::[0-9a-f]{2})+$/i, /^[0-9a-f]{2}(?:-[0-9a-f]{2})+$/i, /^[0-9a-f]{4}(?:\.[0-9a-f]{4})+$/i];
/** Names we put in `ip -batch` lines: no whitespace, quotes or slashes can reach the batch text. */
const IFNAME_RE = /^[A-Za-z0-9_.-]{1,15}$/;
const PREFIX_RE = /^(0|[1-9]\d{0,2})$/;

/**
 * An IPv4 or IPv6 address with a prefix length in range (`/len`, or also none when `prefix` is
 * 'optional'). The one test both the netspec parser and the NIC check use: they must agree on what
 * an address is.
 */
export function isAddress(s: string, prefix: 'required' | 'optional'): boolean {
  const slash = s.lastIndexOf('/');
  if (slash < 0 && prefix === 'required') return false;
  const addr = slash < 0 ? s : s.slice(0, slash);
  const len = slash < 0 ? undefined : s.slice(slash + 1);
  if (len !== undefined && !PREFIX_RE.test(len)) return false;
  if (isIPv4(addr)) return len === undefined || Number(len) <= 32;
  return isIPv6(addr) && (len === undefined || Number(len) <= 128);
}

export function isMac(s: string): boolean {
  return MAC_RE.test(s.toLowerCase());
}

/**
 * The bytes of `s` if Go's net.ParseMAC (minimega's isMAC) accepts it: 6, 8 or 20 bytes in colon, dash
 * or dotted form; undefined otherwise.
 */
export function macForm(s: string): number[] | undefined {
  if (!GO_MAC_RES.some((re) => re.test(s))) return undefined;
  const hex = s.replace(/[:.-]/g, '');
  const bytes = hex.match(/../g)!.map((b) => parseInt(b, 16));
  return [6, 8, 20].includes(bytes.length) ? bytes : undefined;
}

/**
 * `s` as lower-case xx:xx:xx:xx:xx:xx, or why it cannot be. A multicast address is kept, as minimega's
 * configuration keeps it (KVM scripts use such MACs); a container launched with one fails at checkMac,
 * as minimega's `ip link set … address` fails for it.
 */
export function normalizeMac(s: string): string | { why: string } {
  const bytes = macForm(s);
  if (!bytes) return { why: 'want xx:xx:xx:xx:xx:xx' };
  if (bytes.length !== 6) return { why: `a container NIC needs a 48-bit MAC, this one has ${bytes.length * 8} bits` };
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Validates the parts of a NetSpec that end up in batch text; the vlan is checked by VlanAliases. */
export function checkNetSpec(spec: NetSpec, field: string): void {
  if (spec.bridge !== '') checkIfname(spec.bridge, `${field}.bridge`);
  if (spec.mac !== '') checkMac(spec.mac, `${field}.mac`);
  if (spec.ip !== '') checkIp(spec.ip, `${field}.ip`);
}

export function checkIfname(name: string, field: string): void {
  if (!IFNAME_RE.test(name)) {
    throw configError(field, name, `invalid interface name \`${name}\`: 1..${IFNAME_MAX} of letters, digits, _ - .`);
  }
}

export function checkMac(mac: string, field: string): void {
  if (!isMac(mac)) throw configError(field, mac, `invalid mac address \`${mac}\`: want xx:xx:xx:xx:xx:xx`);
  // The kernel refuses it on a veth (EADDRNOTAVAIL) and minimega's launch fails there too.
  if (parseInt(mac.slice(0, 2), 16) & 1)
    throw configError(field, mac, `invalid mac address \`${mac}\`: multicast bit set (a container NIC needs a unicast MAC)`);
}

export function checkIp(ip: string, field: string): void {
  if (!isAddress(ip, 'optional')) throw configError(field, ip, `invalid ip address \`${ip}\`: want a.b.c.d/len or an IPv6 address`);
}

/** First octet of generated MACs: locally administered (bit 1), unicast (bit 0 clear). */
const MAC_LOCAL_PREFIX = 0x02;
/** Second octet: 'm' for nanomega, so generated MACs are recognisable in captures. */
const MAC_ENGINE_OCTET = 0x6d;
/** Random octets after the prefix. */
const MAC_RANDOM_BYTES = 4;

/**
 * A generated MAC, 02:6d:<32 random bits>, drawn by `random` (crypto's randomBytes). Random, as
 * minimega's are, because containers of different hosts share VLANs over VXLAN: a MAC made from
 * anything a host counts or names (a tap number, a hash of its base) repeats on other hosts and breaks
 * the segment. 32 bits make a repeat among the 1000 NICs of one segment a 1-in-8600 event (minimega's
 * 24 random bits: 1 in 34); the caller still draws again over a MAC its own host uses.
 */
export function generateMac(random: (n: number) => Uint8Array = randomBytes): string {
  const b = [MAC_LOCAL_PREFIX, MAC_ENGINE_OCTET, ...random(MAC_RANDOM_BYTES)];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** The address without its prefix length, as the `vm info` ip column shows it. */
export function bareIp(cidr: string): string {
  return cidr.split('/')[0] ?? '';
}
