/**
 * `vm config networks` specs, parsed exactly as minimega's ParseNetConfig (cmd/minimega/netconfig.go):
 *
 *     [bridge,]vlan[,mac][,driver][,qinq]
 *
 * Fields are told apart by their shape, not their position: `qinq` (any case) is the QinQ flag, a MAC
 * is a MAC, a driver is one of qemu's NIC models (containers ignore it; KVM scripts keep working), and
 * the rest is bridge then VLAN. So `100,e1000` is VLAN 100 with driver e1000, and `100,LAN` is bridge
 * `100`, VLAN alias LAN — as in minimega. The VLAN is a number 0–4095 or an alias (`LAN`), allocated
 * when the spec is set.
 *
 * nanomega's extension: a last field containing a single `/` is an address in CIDR form assigned inside
 * the container (`LAN,10.0.0.5/24`). No minimega field can contain one (bridge names, MACs, drivers and
 * VLAN numbers never do; another namespace's alias `ns//alias` has two), so the extension cannot be
 * mistaken for one.
 *
 * The validators shared with the network code (interface names, MACs, the default bridge) live in
 * engine/net/netspec.ts.
 */
import type { NetSpec } from '../api/types.js';
import { configError } from '../errors.js';
import { checkIfname, DEFAULT_BRIDGE, isAddress, macForm, normalizeMac } from '../net/netspec.js';
import { parseVlanNumber, VLAN_ALIAS_RE, VLAN_LIMIT } from '../net/vlans.js';
import { DEFAULT_NAMESPACE, NAMESPACE_SEP, namespaceNameProblem, splitQualified } from '../namespace/names.js';

/** minimega's DefaultKVMDriver: the driver a spec without one gets, and that its getter leaves out. */
export const DEFAULT_DRIVER = 'e1000';

/**
 * qemu's NIC models (`qemu-system-x86_64 -device help`, "Network devices", plus the legacy `-net nic`
 * names). minimega asks qemu for the list; nanomega runs no qemu, so it keeps its own.
 */
export const NIC_DRIVERS: ReadonlySet<string> = new Set([
  'e1000',
  'e1000-82540em',
  'e1000-82544gc',
  'e1000-82545em',
  'e1000e',
  'igb',
  'i82550',
  'i82551',
  'i82557a',
  'i82557b',
  'i82557c',
  'i82558a',
  'i82558b',
  'i82559a',
  'i82559b',
  'i82559c',
  'i82559er',
  'i82562',
  'i82801',
  'ne2k_isa',
  'ne2k_pci',
  'pcnet',
  'rocker',
  'rtl8139',
  'tulip',
  'usb-net',
  'virtio-net',
  'virtio-net-device',
  'virtio-net-pci',
  'virtio-net-pci-non-transitional',
  'virtio-net-pci-transitional',
  'vmxnet3',
]);

const isCidr = (s: string): boolean => isAddress(s, 'required');

const isQinQ = (s: string): boolean => s.toLowerCase() === 'qinq';
const isMac = (s: string): boolean => macForm(s) !== undefined;
const isDriver = (s: string): boolean => NIC_DRIVERS.has(s);

function malformed(spec: string): never {
  throw configError('networks', spec, `malformed netspec \`${spec}\``);
}

/** Which field is which, as ParseNetConfig decides it; undefined for a malformed spec. */
function classify(f: readonly string[]): { b?: string; v: string; m?: string; d?: string; q?: boolean } | undefined {
  const [a, b, c, d, e] = f as [string, string, string, string, string];
  switch (f.length) {
    case 1:
      return { v: a };
    case 2:
      if (isQinQ(b)) return { v: a, q: true };
      if (isMac(b)) return { v: a, m: b };
      if (isDriver(b)) return { v: a, d: b };
      return { b: a, v: b };
    case 3:
      if (isQinQ(c) && isMac(b)) return { v: a, m: b, q: true };
      if (isQinQ(c) && isDriver(b)) return { v: a, d: b, q: true };
      if (isQinQ(c)) return { b: a, v: b, q: true };
      if (isMac(c)) return { b: a, v: b, m: c };
      if (isMac(b) && isDriver(c)) return { v: a, m: b, d: c };
      if (isDriver(c)) return { b: a, v: b, d: c };
      return undefined;
    case 4:
      if (isQinQ(d) && isMac(b)) return { v: a, m: b, d: c, q: true };
      if (isQinQ(d) && isMac(c)) return { b: a, v: b, m: c, q: true };
      if (isQinQ(d) && isDriver(c)) return { b: a, v: b, d: c, q: true };
      if (isDriver(d) && isMac(c)) return { b: a, v: b, m: c, d };
      return undefined;
    case 5:
      if (isMac(c) && isDriver(d) && isQinQ(e)) return { b: a, v: b, m: c, d, q: true };
      return undefined;
    default:
      return undefined;
  }
}

/** The VLAN as written: a number 0–4095 or an alias. */
function checkVlan(spec: string, vlan: string): void {
  if (/^[0-9]+$/.test(vlan)) {
    if (parseVlanNumber(vlan) === undefined) {
      throw configError('networks', vlan, `invalid VLAN ${vlan} in netspec \`${spec}\` (0 <= vlan < ${VLAN_LIMIT})`);
    }
    return;
  }
  if (vlan.includes(':')) throw configError('networks', vlan, `invalid MAC address \`${vlan}\` in netspec \`${spec}\``);
  // A dashed or dotted MAC fits the alias pattern; as a VLAN it could never be printed back unambiguously.
  if (isMac(vlan)) throw configError('networks', vlan, `invalid VLAN alias \`${vlan}\` in netspec \`${spec}\`: it reads as a MAC address`);
  const q = splitQualified(DEFAULT_NAMESPACE, vlan);
  const nsWhy = q.namespace === DEFAULT_NAMESPACE ? undefined : namespaceNameProblem(q.namespace);
  if (nsWhy) throw configError('networks', vlan, `invalid VLAN alias \`${vlan}\` in netspec \`${spec}\`: ${nsWhy}`);
  if (!VLAN_ALIAS_RE.test(q.value)) {
    throw configError('networks', vlan, `invalid VLAN alias \`${vlan}\` in netspec \`${spec}\`: a number 0-4095 or a name of letters, digits, _ - .`);
  }
}

/** Parse one netspec; errors name the spec and the field at fault. */
export function parseNetSpec(spec: string): NetSpec {
  const parts = spec.split(',');
  let ip = '';
  const lastPart = parts[parts.length - 1]!;
  if (parts.length > 1 && lastPart.includes('/') && !lastPart.includes(NAMESPACE_SEP)) {
    const last = parts.pop()!;
    if (!isCidr(last)) throw configError('networks', last, `invalid address \`${last}\` in netspec \`${spec}\`: want CIDR form like 10.0.0.5/24`);
    ip = last;
  }
  if (parts.some((p) => p === '')) malformed(spec);
  const f = classify(parts);
  if (!f) malformed(spec);
  const bridge = f.b ?? '';
  if (bridge !== '') {
    if (bridge.includes(':')) throw configError('networks', bridge, `invalid MAC address \`${bridge}\` in netspec \`${spec}\``);
    checkIfname(bridge, 'networks.bridge');
  }
  checkVlan(spec, f.v);
  let mac = '';
  if (f.m !== undefined) {
    const norm = normalizeMac(f.m);
    if (typeof norm !== 'string') throw configError('networks', f.m, `invalid MAC address \`${f.m}\` in netspec \`${spec}\`: ${norm.why}`);
    mac = norm;
  }
  const out: NetSpec = { bridge, vlan: f.v, mac, ip };
  if (f.d !== undefined && f.d !== DEFAULT_DRIVER) out.driver = f.d;
  if (f.q) out.qinq = true;
  return out;
}

/**
 * One NIC as minimega's NetConfig.String prints it: the default bridge and driver left out; then our
 * address. Leaving the driver out is ambiguous when the VLAN alias reads as a driver or `qinq`
 * (`br,e1000` parses as VLAN `br` with driver e1000): then the driver is written, so that what is
 * printed always parses back to the same NIC (`vm config save` output is fed back to the parser).
 */
export function netSpecString(n: NetSpec): string {
  const short = specParts(n, false);
  return short === specParts(n, true) || sameNic(short, n) ? short : specParts(n, true);
}

function specParts(n: NetSpec, withDriver: boolean): string {
  const parts: string[] = [];
  if (n.bridge !== '' && n.bridge !== DEFAULT_BRIDGE) parts.push(n.bridge);
  parts.push(n.vlan);
  if (n.mac) parts.push(n.mac);
  if (n.driver && n.driver !== DEFAULT_DRIVER) parts.push(n.driver);
  else if (withDriver) parts.push(DEFAULT_DRIVER);
  if (n.qinq) parts.push('qinq');
  if (n.ip) parts.push(n.ip);
  return parts.join(',');
}

function sameNic(text: string, n: NetSpec): boolean {
  try {
    const p = parseNetSpec(text);
    return (
      (p.bridge || DEFAULT_BRIDGE) === (n.bridge || DEFAULT_BRIDGE) &&
      p.vlan === n.vlan &&
      p.mac === n.mac &&
      p.ip === n.ip &&
      (p.driver ?? DEFAULT_DRIVER) === (n.driver ?? DEFAULT_DRIVER) &&
      !!p.qinq === !!n.qinq
    );
  } catch {
    return false;
  }
}
