/**
 * The file `router VM commit` writes for minirouter (`minirouter -u FILE` inside the VM reads it line by
 * line): minimega's line format exactly. Sections in minimega's order — log level, addresses (only when
 * they changed since the last commit, so live connections are not disturbed), dnsmasq, the default
 * route, bird — each opened with a flush and closed with a commit, so minirouter rebuilds its state
 * from the file alone. Within a section minimega's order is its map order (random); ours is sorted.
 * No firewall lines: minimega writes none for container routers.
 */
import { quote } from './go-text.js';
import type { Router } from './model.js';

const sorted = <T>(keys: Iterable<T>): T[] => [...keys].sort();

/** The file's text; chooses the router ID when none was set (it sticks, as in minimega). */
export function routerConfigFile(r: Router): string {
  const out: string[] = [`log level ${r.logLevel}`];
  if (r.updateIps) {
    out.push('ip flush');
    r.ips.forEach((list, i) => list.forEach((ip) => out.push(`ip add ${i} ${ip}`)));
    for (const i of sorted(r.loopbacks.keys())) out.push(`ip add lo ${r.loopbacks.get(i)}`);
  }

  out.push('dnsmasq flush');
  for (const listen of sorted(r.dhcp.keys())) {
    const d = r.dhcp.get(listen)!;
    if (d.low !== '') out.push(`dnsmasq dhcp range ${d.listen} ${d.low} ${d.high}`);
    if (d.router !== '') out.push(`dnsmasq dhcp option router ${d.listen} ${d.router}`);
    if (d.dns !== '') out.push(`dnsmasq dhcp option dns ${d.listen} ${d.dns}`);
    for (const mac of sorted(d.statics.keys())) out.push(`dnsmasq dhcp static ${d.listen} ${mac} ${d.statics.get(mac)}`);
  }
  for (const ip of sorted(r.dns.keys())) for (const host of r.dns.get(ip)!) out.push(`dnsmasq dns ${ip} ${host}`);
  if (r.upstream !== '') out.push(`dnsmasq upstream ${r.upstream}`);
  out.push(r.gateway !== '' ? `route add default gw ${r.gateway}` : 'route del default');
  for (const subnet of sorted(r.ra)) out.push(`dnsmasq ra ${subnet}`);
  out.push('dnsmasq commit');

  out.push('bird flush');
  for (const network of sorted(r.staticRoutes.keys())) out.push(`bird static ${network} ${r.staticRoutes.get(network)} null`);
  for (const name of sorted(r.namedRoutes.keys())) {
    const set = r.namedRoutes.get(name)!;
    for (const network of sorted(set.keys())) out.push(`bird static ${network} ${set.get(network) || 'null'} ${name}`);
  }
  for (const area of sorted(r.ospf.keys())) {
    const o = r.ospf.get(area)!;
    for (const iface of sorted(o.interfaces.keys())) {
      // The interface line comes even without options: it is what puts the interface in the area.
      out.push(`bird ospf ${o.area} ${iface}`);
      const options = o.interfaces.get(iface)!;
      for (const k of sorted(options.keys())) out.push(`bird ospf ${o.area} ${iface} ${quote(k)} ${quote(options.get(k)!)}`);
    }
    for (const filter of sorted(o.exports)) out.push(`bird ospf ${o.area} filter ${filter}`);
  }
  for (const process of sorted(r.bgp.keys())) {
    const b = r.bgp.get(process)!;
    out.push(`bird bgp ${b.process} local ${b.localIp} ${b.localAs}`);
    out.push(`bird bgp ${b.process} neighbor ${b.neighborIp} ${b.neighborAs}`);
    if (b.routeReflector) out.push(`bird bgp ${b.process} rrclient`);
    for (const net of sorted(b.exports)) out.push(`bird bgp ${b.process} filter ${net}`);
  }
  out.push(`bird routerid ${r.chooseRouterId()}`);
  out.push('bird commit');
  return out.join('\n') + '\n';
}
