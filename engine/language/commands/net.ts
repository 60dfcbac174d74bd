/** `vlans`, `vm net add`, `vm net connect`, `vm net disconnect`. */
import { atoi } from '../../config/go-values.js';
import type { Handler } from '../handler.js';
import { errorResponse, tableResponse } from '../response.js';
import { resultErrors } from './vm-lifecycle.js';

const INT = /^[+-]?[0-9]+$/;

/** A VLAN given as a number (`vlans add`, `vlans blacklist`): minimega's error otherwise. */
function vlanNumber(s: string): number {
  if (!INT.test(s)) throw new Error('expected integer VLAN');
  return Number(s);
}

export const netHandlers: Handler[] = [
  {
    patterns: ['vlans', 'vlans <range,>', 'vlans <range,> <min> <max>', 'vlans <add,> <alias> <vlan>', 'vlans <blacklist,> [vlan]'],
    help: 'display allocated VLANs',
    helpLong:
      'List the VLAN aliases (`LAN`, `DMZ`, …) and the VLAN each was given (allocated from 101 upward when vm config ' +
      'networks names them). `vlans add ALIAS VLAN` fixes one; `vlans range MIN MAX` sets where new aliases come ' +
      'from, [MIN, MAX); `vlans blacklist VLAN` keeps a VLAN from aliases (VLANs used by number are kept from them too).',
    async call(ctx, cmd) {
      const a = cmd.stringArgs;
      const engine = ctx.deps.engine;
      if (cmd.boolArgs.add) {
        await engine.call('net.vlans.add', a.alias!, vlanNumber(a.vlan!));
        return errorResponse();
      }
      if (cmd.boolArgs.range) {
        if (a.min !== undefined) {
          if (!INT.test(a.min) || !INT.test(a.max!)) throw new Error('expected integer values for min/max');
          await engine.call('net.vlans.range', Number(a.min), Number(a.max));
          return errorResponse();
        }
        const r = await engine.call('net.vlans.range');
        return tableResponse(['min', 'max', 'next'], r ? [[String(r.min), String(r.max), String(r.next)]] : []);
      }
      if (cmd.boolArgs.blacklist) {
        if (a.vlan !== undefined) {
          await engine.call('net.vlans.blacklist', vlanNumber(a.vlan));
          return errorResponse();
        }
        return tableResponse(
          ['vlan'],
          (await engine.call('net.vlans.blacklist')).map((v) => [String(v)]),
        );
      }
      const list = await engine.call('net.vlans');
      return tableResponse(
        ['alias', 'vlan'],
        list.map((v) => [v.alias, String(v.vlan)]),
      );
    },
  },
  {
    patterns: ['clear vlans [prefix]'],
    help: 'clear allocated VLANs',
    helpLong:
      'Forget VLAN aliases, freeing their VLANs (kill the containers on them first): those starting with PREFIX, or ' +
      'with none every alias and the range; `clear vlans all` also forgets the blacklist.',
    async call(ctx, cmd) {
      await ctx.deps.engine.call('net.vlans.clear', cmd.stringArgs.prefix);
      return errorResponse();
    },
  },
  {
    patterns: ['vm net <add,> <vm target> [netspec]...'],
    help: 'add network connections',
    helpLong:
      'Add interfaces to the target VMs, after the ones they have, each NETSPEC as `vm config net` takes it. ' +
      'Running, paused and building containers get them at once (veth<N>, up, with the address a netspec gives); ' +
      'a QUIT or ERROR container only has its configuration changed, which a later `vm start` uses. minimega ' +
      'adds interfaces to KVMs only.',
    async call(ctx, cmd) {
      return resultErrors(await ctx.deps.engine.call('vm.net.add', cmd.stringArgs.vm!, cmd.listArgs.netspec ?? []));
    },
  },
  {
    patterns: ['vm net <connect,> <vm target> <tap position> <vlan> [bridge]', 'vm net <disconnect,> <vm target> <tap position>'],
    help: 'disconnect or move network connections',
    helpLong:
      'Move interface <tap position> of the target VMs to another VLAN (and bridge), or take it off its bridge. ' +
      'Running, paused and building containers are changed live; a QUIT or ERROR container only has its ' +
      "configuration changed, which a later `vm start` uses. Without a bridge, connect keeps the interface's " +
      'bridge, or uses mega_bridge for a disconnected one.',
    async call(ctx, cmd) {
      const target = cmd.stringArgs.vm!;
      const pos = atoi(cmd.stringArgs.tap!);
      const results = cmd.boolArgs.connect
        ? await ctx.deps.engine.call('vm.net.connect', target, pos, cmd.stringArgs.vlan!, cmd.stringArgs.bridge)
        : await ctx.deps.engine.call('vm.net.disconnect', target, pos);
      return resultErrors(results);
    },
  },
];
