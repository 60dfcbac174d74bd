/**
 * `vm config net` specs: parsing and the getter's text. The validators shared with the network code
 * (interface names, MACs, the default bridge) live in engine/net/netspec.ts.
 */
import type { NetSpec } from '../api/types.js';
import { configError } from '../errors.js';
import { checkIfname, DEFAULT_BRIDGE, isMac } from '../net/netspec.js';

const VLAN_ALIAS_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const IPV4_CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IPV6_CIDR_RE = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

function isCidr(s: string): boolean {
  const m = IPV4_CIDR_RE.exec(s);
  if (m) return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  const m6 = IPV6_CIDR_RE.exec(s);
  return !!m6 && s.includes(':') && Number(m6[1]) <= 128;
}

function checkVlan(spec: string, vlan: string): void {
  if (/^[0-9]+$/.test(vlan)) {
    const n = Number(vlan);
    if (n < 1 || n > 4094) throw configError('net', spec, `invalid vlan ${vlan} in netspec \`${spec}\`: must be 1-4094`);
    return;
  }
  if (!VLAN_ALIAS_RE.test(vlan)) throw configError('net', spec, `invalid vlan \`${vlan}\` in netspec \`${spec}\``);
}

/**
 * Parse one minimega netspec `[bridge,]vlan[,mac]`. As an extension, an address in CIDR form may follow as
 * the last part (`101,10.0.0.5/24` or `br0,LAN,00:11:22:33:44:55,10.0.0.5/24`); it is assigned inside the
 * container. The VLAN is a number (1-4094) or an alias such as `LAN`.
 */
export function parseNetSpec(spec: string): NetSpec {
  const parts = spec.split(',');
  let ip = '';
  if (parts.length > 1 && parts[parts.length - 1]!.includes('/')) {
    const last = parts.pop()!;
    if (!isCidr(last)) throw configError('net', spec, `invalid address \`${last}\` in netspec \`${spec}\`: want CIDR form like 10.0.0.5/24`);
    ip = last;
  }
  if (parts.some((p) => p === '')) throw configError('net', spec, `malformed netspec \`${spec}\``);
  let bridge = '';
  let vlan: string;
  let mac = '';
  switch (parts.length) {
    case 1:
      vlan = parts[0]!;
      break;
    case 2:
      if (isMac(parts[1]!)) {
        vlan = parts[0]!;
        mac = parts[1]!;
      } else {
        bridge = parts[0]!;
        vlan = parts[1]!;
      }
      break;
    case 3:
      [bridge, vlan, mac] = parts as [string, string, string];
      if (!isMac(mac)) throw configError('net', spec, `malformed mac address \`${mac}\` in netspec \`${spec}\``);
      break;
    default:
      throw configError('net', spec, `malformed netspec \`${spec}\``);
  }
  if (bridge !== '') checkIfname(bridge, 'net.bridge');
  checkVlan(spec, vlan);
  return { bridge, vlan, mac: mac.toLowerCase(), ip };
}

/** One NIC as `vm config net` prints it: `bridge,vlan[,mac][,ip]` with the default bridge named. */
export function netSpecString(n: NetSpec): string {
  const parts = [n.bridge || DEFAULT_BRIDGE, n.vlan];
  if (n.mac) parts.push(n.mac);
  if (n.ip) parts.push(n.ip);
  return parts.join(',');
}
