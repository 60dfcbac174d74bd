/** `router VM`: a router's configuration in minimega's layout (its Router, dhcp, ospf and bgp String()s). */
import type { RouterInfo } from '../../api/types.js';
import { tabwrite } from '../tabwriter.js';

/** Go's %v of a []string. */
const goList = (l: readonly string[]) => `[${l.join(' ')}]`;

function dhcpBlock(d: RouterInfo['dhcp'][number]): string {
  const head = tabwrite(
    `Listen address:\t${d.listen}\nLow address:\t${d.low}\nHigh address:\t${d.high}\nRouter:\t${d.router}\nDNS:\t${d.dns}\nStatic IPs:\t\n`,
  );
  const statics = d.statics.length ? tabwrite(d.statics.map((s) => `\t${s.mac}\t${s.ip}\n`).join('')) : '';
  return head + statics;
}

function ospfBlock(o: RouterInfo['ospf'][number]): string {
  let out = `OSPF Area:\t${o.area}\nInterfaces:\n`;
  for (const i of o.interfaces) out += `\t${i.network}\n`;
  if (o.exports.length) out += 'OSPF Export Networks or Routes:\n' + o.exports.map((e) => `\t${e}\n`).join('');
  return out;
}

function bgpBlock(b: RouterInfo['bgp'][number]): string {
  let out =
    `BGP Process Name:\t${b.process}\nBGP Local IP:\t${b.localIp}\nBGP Local As:\t${b.localAs}\n` +
    `BGP Neighbor IP:\t${b.neighborIp}\nBGP Neighbor As:\t${b.neighborAs}\nBGP RouteReflector:\t${b.routeReflector}\n`;
  if (b.exports.length) out += 'BGP Export Networks or Routes:\n' + b.exports.map((e) => `\t${e}\n`).join('');
  return out;
}

/** The text minimega prints; sections appear only when they hold something, each ends with a blank line. */
export function routerText(r: RouterInfo): string {
  let o = 'IPs:\n';
  r.ips.forEach((ips, i) => (o += `Network: ${i}: ${goList(ips)}\n`));
  if (r.loopbacks.length)
    o +=
      'Loopback IPs:\n' +
      [...r.loopbacks.map((l) => l.ip)]
        .sort()
        .map((ip) => `${ip}\n`)
        .join('');
  o += '\n';
  for (const d of r.dhcp) o += dhcpBlock(d) + '\n';
  if (r.dns.length) o += 'DNS:\n' + r.dns.flatMap((d) => d.hosts.map((h) => `${d.ip}\t${h}\n`)).join('') + '\n';
  if (r.upstream) o += `Upstream DNS: ${r.upstream}\n`;
  if (r.gateway) o += `Default Gateway: ${r.gateway}\n`;
  if (r.ra.length) o += 'Router Advertisements:\n' + r.ra.map((s) => `${s}\n`).join('') + '\n';
  if (r.staticRoutes.length) o += 'Static Routes:\n' + r.staticRoutes.map((s) => `${s.network}\t${s.nextHop}\n`).join('') + '\n';
  if (r.namedRoutes.length) {
    o += 'Named Static Routes:\n';
    for (const n of r.namedRoutes) o += `${n.name}\n` + n.routes.map((s) => `\t${s.network}${s.nextHop ? `\t${s.nextHop}` : ''}\n`).join('');
    o += '\n';
  }
  for (const a of r.ospf) o += ospfBlock(a) + '\n';
  for (const b of r.bgp) o += bgpBlock(b) + '\n';
  o +=
    'Log:\n' +
    r.log
      .split('\n')
      .map((l) => `\t${l}\n`)
      .join('');
  return o;
}
