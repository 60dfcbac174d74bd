/** `tap`, `tap create|delete`, `clear tap`: host interfaces on experiment VLANs (minimega's patterns). */
import type { TapRequest } from '../../api/types.js';
import type { Command, Handler } from '../handler.js';
import { errorResponse, tableResponse, textResponse } from '../response.js';

/** minimega's printVLAN: `LAN (101)` for an alias, the number otherwise. */
function vlanCell(vlan: string, id: number): string {
  return /^[0-9]+$/.test(vlan) ? String(id) : `${vlan} (${id})`;
}

/** The request a `tap create …` line asks for. */
export function tapRequest(cmd: Command): TapRequest {
  const a = cmd.stringArgs;
  const req: TapRequest = { vlan: a.vlan! };
  if (a.bridge !== undefined) req.bridge = a.bridge;
  if (a.tap !== undefined && a.tap !== '') req.name = a.tap;
  if (cmd.boolArgs.dhcp) req.dhcp = true;
  if (a.ip !== undefined) req.ip = a.ip;
  return req;
}

export const tapHandlers: Handler[] = [
  {
    patterns: [
      'tap',
      'tap <create,> <vlan>',
      'tap <create,> <vlan> name <tap name>',
      'tap <create,> <vlan> <dhcp,> [tap name]',
      'tap <create,> <vlan> ip <ip> [tap name]',
      'tap <create,> <vlan> bridge <bridge>',
      'tap <create,> <vlan> bridge <bridge> name [tap name]',
      'tap <create,> <vlan> bridge <bridge> <dhcp,> [tap name]',
      'tap <create,> <vlan> bridge <bridge> ip <ip> [tap name]',
      'tap <mirror,> <src name> <dst name> [bridge]',
      'tap <mirror,> <vm name> <interface index> <vm2 name> <interface2 index>',
      'tap <delete,> <tap name or all>',
    ],
    help: 'control host taps for communicating between hosts and VMs',
    helpLong:
      'List the host taps, create one on a VLAN (with an address, by DHCP, or bare; optionally on another bridge ' +
      'and with a name), or delete one or all. `tap create LAN ip 10.0.0.1/24` gives the host an address on ' +
      "the containers' VLAN.\n\n" +
      'tap mirror sends a copy of every frame that crosses the source tap (both directions) out of the ' +
      'destination tap: `tap mirror mega_tap0 mega_tap2` (taps from `vm info` or host taps, on the default ' +
      'bridge or BRIDGE), or `tap mirror A 0 monitor 0` by container and interface index. The container ' +
      'behind the destination sees the traffic passively (tcpdump, an IDS). Mirrors are named by their ' +
      'destination; `clear tap mirror [NAME]` removes one or all, `clear tap` removes the mirrors too.',
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      if (cmd.boolArgs.mirror && a.vm !== undefined) {
        await ctx.deps.engine.call('tap.mirror', { vm: a.vm, index: a.interface!, vm2: a.vm2!, index2: a.interface2! });
        return errorResponse();
      }
      if (cmd.boolArgs.mirror) {
        await ctx.deps.engine.call('tap.mirror', { src: a.src!, dst: a.dst!, ...(a.bridge ? { bridge: a.bridge } : {}) });
        return errorResponse();
      }
      if (cmd.boolArgs.create) return textResponse((await ctx.deps.engine.call('tap.create', tapRequest(cmd))).name);
      if (cmd.boolArgs.delete) {
        await ctx.deps.engine.call('tap.delete', cmd.stringArgs.tap!);
        return errorResponse();
      }
      const taps = await ctx.deps.engine.call('tap.list');
      return tableResponse(
        ['bridge', 'tap', 'vlan'],
        taps.map((t) => [t.bridge, t.name, vlanCell(t.vlan, t.vlanId)]),
      );
    },
  },
  {
    patterns: ['clear tap', 'clear tap <mirror,> [name]', 'clear tap <mirror,> <vm name> <interface index or all>'],
    help: 'reset tap state',
    helpLong:
      'Delete the host taps and mirrors of the namespace. `clear tap mirror` removes every mirror, `clear tap ' +
      "mirror NAME` the one to tap NAME, `clear tap mirror VM INDEX|all` those to that container's interfaces.",
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      if (cmd.boolArgs.mirror) {
        await ctx.deps.engine.call('tap.mirror.clear', a.vm !== undefined ? { vm: a.vm, index: a.interface! } : a.name ? { name: a.name } : {});
        return errorResponse();
      }
      await ctx.deps.engine.call('tap.mirror.clear', {});
      await ctx.deps.engine.call('tap.delete', 'all');
      return errorResponse();
    },
  },
];
