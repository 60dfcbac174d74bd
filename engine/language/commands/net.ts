/** `vlans`, `vm net connect`, `vm net disconnect`. */
import type { Handler } from '../handler.js';
import { tableResponse } from '../response.js';
import { resultErrors } from './vm-lifecycle.js';

/** Go's strconv.Atoi for a tap position. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

export const netHandlers: Handler[] = [
  {
    patterns: ['vlans'],
    help: 'display allocated VLAN aliases',
    helpLong: 'List the VLAN aliases (`LAN`, `DMZ`, …) and the VLAN each was given (from 101 upward).',
    async call(ctx) {
      const list = await ctx.deps.engine.call('net.vlans');
      return tableResponse(['alias', 'vlan'], list.map((v) => [v.alias, String(v.vlan)]));
    },
  },
  {
    patterns: ['vm net <connect,> <vm target> <tap position> <vlan> [bridge]', 'vm net <disconnect,> <vm target> <tap position>'],
    help: 'disconnect or move network connections',
    helpLong:
      'Move interface <tap position> of the target VMs to another VLAN (and bridge), or take it off its bridge. ' +
      'Running, paused and building containers are changed live; a QUIT or ERROR container only has its ' +
      'configuration changed, which a later `vm start` uses. Without a bridge, connect keeps the interface\'s ' +
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
