/** `tap`, `tap create|delete`, `clear tap`: host interfaces on experiment VLANs (minimega's patterns). */
import type { TapRequest } from '../../api/types.js';
import type { Command, Handler } from '../handler.js';
import { errorResponse, tableResponse, textResponse } from '../response.js';

const NO_MIRROR = 'tap mirror is not supported by nanomega';

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
      'tap <delete,> <tap name or all>',
    ],
    help: 'control host taps for communicating between hosts and VMs',
    helpLong:
      'List the host taps, create one on a VLAN (with an address, by DHCP, or bare; optionally on another bridge ' +
      'and with a name), or delete one or all. `tap create LAN ip 10.0.0.1/24` gives the host an address on ' +
      "the containers' VLAN. tap mirror is not supported.",
    async call(ctx, cmd) {
      if (cmd.boolArgs.mirror) throw new Error(NO_MIRROR);
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
    patterns: ['clear tap', 'clear tap <mirror,> [name]'],
    help: 'reset tap state',
    async call(ctx, cmd) {
      if (cmd.boolArgs.mirror) throw new Error(NO_MIRROR);
      await ctx.deps.engine.call('tap.delete', 'all');
      return errorResponse();
    },
  },
];
