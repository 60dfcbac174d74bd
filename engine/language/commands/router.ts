/** `router VM …` and `clear router …`: minirouter configuration of container VMs (minimega's patterns). */
import type { RouterClear, RouterSetting } from '../../api/types.js';
import type { CallContext, Command, Handler } from '../handler.js';
import { errorResponse, textResponse } from '../response.js';
import { routerText } from './router-print.js';
import { suggestVms } from './targets.js';

async function suggestVm(ctx: CallContext, key: string, prefix: string): Promise<string[]> {
  return key === 'vm' ? suggestVms(await ctx.deps.engine.call('vm.info'), prefix).filter((n) => n !== 'all') : [];
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug'] as const;

/** The change a `router VM …` line asks for (undefined: none, the line only shows the router). */
export function routerSetting(cmd: Command): RouterSetting | undefined {
  const a = cmd.stringArgs;
  const b = cmd.boolArgs;
  if (b.rid) return { kind: 'rid', id: a.id! };
  if (b.log) return { kind: 'log', level: LEVELS.find((l) => b[l])! };
  if (b.interface) return { kind: 'interface', network: a.network!, ip: a['IPv4/MASK']!, lo: b.lo === true };
  if (b.dhcp) {
    const listen = a.listen!;
    if (b.range) return { kind: 'dhcp', listen, range: { low: a.low!, high: a.high! } };
    if (b.router) return { kind: 'dhcp', listen, router: a.router! };
    if (b.dns) return { kind: 'dhcp', listen, dns: a.address! };
    return { kind: 'dhcp', listen, static: { mac: a.mac!, ip: a.ip! } };
  }
  if (b.dns) return { kind: 'dns', ip: a.ip!, hostname: a.hostname! };
  if (b.upstream) return { kind: 'upstream', ip: a.ip! };
  if (b.gw) return { kind: 'gw', gw: a.gw! };
  if (b.ra) return { kind: 'ra', subnet: a.subnet! };
  if (b.route && b.static) return { kind: 'static', network: a.network!, nextHop: a['next-hop']!, ...(a.staticroutename ? { name: a.staticroutename } : {}) };
  if (b.route && b.ospf) {
    if (b.export) return { kind: 'ospf-export', area: a.area!, filter: a['Ipv4/Mask']! };
    return { kind: 'ospf', area: a.area!, network: a.network!, ...(a.option !== undefined ? { option: a.option, value: a.value! } : {}) };
  }
  if (b.route && b.bgp) {
    const process = a.processname!;
    if (b.export) return { kind: 'bgp-export', process, all: b.all === true, filter: a.filtername! };
    if (b.rrclient) return { kind: 'bgp-rrclient', process };
    return { kind: 'bgp', process, side: b.local ? 'local' : 'neighbor', ip: a.IPv4!, as: a.asnumber! };
  }
  if (b.fw) return { kind: 'fw' };
  return undefined;
}

/** What a `clear router VM …` line removes. */
export function routerClear(cmd: Command): RouterClear {
  const a = cmd.stringArgs;
  const b = cmd.boolArgs;
  const some = (k: string) => (a[k] === undefined || a[k] === '' ? {} : { [k]: a[k] });
  if (b.rid) return { kind: 'rid' };
  if (b.interface) return { kind: 'interface', ...some('network'), ...(a['IPv4/MASK'] ? { ip: a['IPv4/MASK'] } : {}), lo: b.lo === true };
  if (b.dhcp) {
    const what = (['range', 'router', 'dns', 'static'] as const).find((w) => b[w]);
    return { kind: 'dhcp', ...some('listen'), ...(what ? { what } : {}), ...some('mac') };
  }
  if (b.dns) return { kind: 'dns', ...some('ip') };
  if (b.upstream) return { kind: 'upstream' };
  if (b.gw) return { kind: 'gw' };
  if (b.ra) return { kind: 'ra', ...some('subnet') };
  if (b.route) {
    if (b.static) return { kind: 'static', ...some('network'), ...(a.staticroutename ? { name: a.staticroutename } : {}) };
    if (b.namedstatic) return { kind: 'namedstatic' };
    if (b.ospf) return { kind: 'ospf', ...some('area'), ...some('network'), ...(a['Ipv4/Mask'] ? { filter: a['Ipv4/Mask'] } : {}) };
    if (b.bgp) {
      const what = (['rrclient', 'local', 'neighbor'] as const).find((w) => b[w]);
      return { kind: 'bgp', process: a.processname!, ...(what ? { what } : {}) };
    }
    return { kind: 'route' };
  }
  if (b.fw) return { kind: 'fw' };
  return { kind: 'all' };
}

export const routerHandlers: Handler[] = [
  {
    patterns: [
      'router <vm>',
      'router <vm> <commit,>',
      'router <vm> <rid,> <id>',
      'router <vm> <log,> <level,> <fatal,error,warn,info,debug>',
      'router <vm> <interface,> <network> <IPv4/MASK or IPv6/MASK or dhcp> [lo,]',
      'router <vm> <dhcp,> <listen address> <range,> <low address> <high address>',
      'router <vm> <dhcp,> <listen address> <router,> <router address>',
      'router <vm> <dhcp,> <listen address> <dns,> <address>',
      'router <vm> <dhcp,> <listen address> <static,> <mac> <ip>',
      'router <vm> <dns,> <ip> <hostname>',
      'router <vm> <upstream,> <ip>',
      'router <vm> <gw,> <gw>',
      'router <vm> <ra,> <subnet>',
      'router <vm> <route,> <static,> <network> <next-hop> [staticroutename]',
      'router <vm> <route,> <ospf,> <area> <network>',
      'router <vm> <route,> <ospf,> <area> <network> <option> <value>',
      'router <vm> <route,> <ospf,> <area> <export,> <Ipv4/Mask or staticroutename>',
      'router <vm> <route,> <bgp,> <processname> <local,neighbor> <IPv4> <asnumber>',
      'router <vm> <route,> <bgp,> <processname> <rrclient,>',
      'router <vm> <route,> <bgp,> <processname> <export,> <all,filter> <filtername>',
      'router <vm> <fw,> <default,> <accept,drop>',
      'router <vm> <fw,> <accept,drop,reject> <in,out> <index> <dst> <proto>',
      'router <vm> <fw,> <accept,drop,reject> <in,out> <index> <src> <dst> <proto>',
      'router <vm> <fw,> chain <chain> <default,> action <accept,drop,reject>',
      'router <vm> <fw,> chain <chain> action <accept,drop,reject> <dst> <proto>',
      'router <vm> <fw,> chain <chain> action <accept,drop,reject> <src> <dst> <proto>',
      'router <vm> <fw,> chain <chain> apply <in,out> <index>',
    ],
    help: 'configure running minirouter VMs',
    helpLong:
      'Build the configuration of a VM that runs minirouter, then install it with `router VM commit`. ' +
      '`router VM` shows it. Sub-commands: `interface N ADDR/BITS|dhcp [lo]` (addresses of NIC N, or the ' +
      'loopback), `dhcp LISTEN range LOW HIGH|router IP|dns IP|static MAC IP` (a dnsmasq DHCP server), ' +
      '`dns IP NAME` (host records), `upstream IP`, `gw IP` (default route), `ra SUBNET` (router ' +
      'advertisements), `route static NET NEXTHOP [SET]` (a named SET with next hop 0 is a route to export), ' +
      '`route ospf AREA NIC|lo [OPTION VALUE]`, `route ospf AREA export NET|SET`, `route bgp NAME ' +
      'local|neighbor IP AS`, `route bgp NAME rrclient`, `route bgp NAME export all|filter SET`, `rid ID` ' +
      '(router ID; otherwise the highest loopback or NIC address), `log level LEVEL`. Firewall rules (`fw`) ' +
      'are refused: minimega does not apply them to container routers.\n\n' +
      'commit writes minirouter-VM into the files directory (files/NAMESPACE/ outside the default ' +
      'namespace) and queues cc commands, prefix minirouter-VM, for that VM only: remove the old copy, send ' +
      'the file, run `minirouter -u` on it. The image must provide minirouter (nanomega does not ship it); ' +
      'commands wait for the VM to run.',
    async call(ctx, cmd) {
      const vm = cmd.stringArgs.vm!;
      if (cmd.boolArgs.commit) {
        await ctx.deps.engine.call('router.commit', vm);
        return errorResponse();
      }
      const setting = routerSetting(cmd);
      if (!setting) return textResponse(routerText(await ctx.deps.engine.call('router.show', vm)));
      await ctx.deps.engine.call('router.set', vm, setting);
      return errorResponse();
    },
    suggest: suggestVm,
  },
  {
    patterns: [
      'clear router',
      'clear router <vm>',
      'clear router <vm> <rid,>',
      'clear router <vm> <interface,>',
      'clear router <vm> <interface,> <network>',
      'clear router <vm> <interface,> <network> <IPv4/MASK or IPv6/MASK or dhcp or all> [lo,]',
      'clear router <vm> <dhcp,>',
      'clear router <vm> <dhcp,> <listen address>',
      'clear router <vm> <dhcp,> <listen address> <range,>',
      'clear router <vm> <dhcp,> <listen address> <router,>',
      'clear router <vm> <dhcp,> <listen address> <dns,>',
      'clear router <vm> <dhcp,> <listen address> <static,>',
      'clear router <vm> <dhcp,> <listen address> <static,> <mac>',
      'clear router <vm> <dns,>',
      'clear router <vm> <dns,> <ip>',
      'clear router <vm> <upstream,>',
      'clear router <vm> <gw,>',
      'clear router <vm> <ra,>',
      'clear router <vm> <ra,> <subnet>',
      'clear router <vm> <route,>',
      'clear router <vm> <route,> <static,namedstatic>',
      'clear router <vm> <route,> <static,> <network or all> [staticroutename]',
      'clear router <vm> <route,> <ospf,>',
      'clear router <vm> <route,> <ospf,> <area>',
      'clear router <vm> <route,> <ospf,> <area> <network>',
      'clear router <vm> <route,> <ospf,> <area> <export,> <Ipv4/Mask or staticroutename>',
      'clear router <vm> <route,> <bgp,> <processname>',
      'clear router <vm> <route,> <bgp,> <processname> <rrclient,>',
      'clear router <vm> <route,> <bgp,> <processname> <local,neighbor>',
      'clear router <vm> <fw,>',
    ],
    help: 'reset router configuration',
    helpLong:
      "Forget every router of the namespace, one VM's router (all but its log level, upstream DNS and " +
      'gateway), or one part of it: the words after the VM name the part as in `router`, and an entry that ' +
      'is not there is an error. Nothing changes in the VM until the next `router VM commit`.',
    async call(ctx, cmd) {
      const vm = cmd.stringArgs.vm;
      if (vm === undefined) await ctx.deps.engine.call('router.clear');
      else await ctx.deps.engine.call('router.clear', vm, routerClear(cmd));
      return errorResponse();
    },
    suggest: suggestVm,
  },
];
