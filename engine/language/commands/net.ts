/** `vlans`, `vm net connect`, `vm net disconnect`. */
import type { CliCommand } from '../deps.js';
import { tableResponse, textResponse } from '../response.js';
import { parseUint } from '../../config/go-values.js';

export const vlans: CliCommand = {
  words: ['vlans'],
  usage: 'vlans',
  help: 'List the VLAN aliases this daemon allocated (from 101 upward).',
  async run(deps, args) {
    if (args.length) throw new Error('usage: vlans');
    const list = await deps.engine.call('net.vlans');
    return tableResponse(['alias', 'vlan'], list.map((v) => [v.alias, String(v.vlan)]));
  },
};

export const vmNetConnect: CliCommand = {
  words: ['vm', 'net', 'connect'],
  usage: 'vm net connect <vm> <tap position> <vlan> [bridge]',
  help: 'Move interface <tap position> of a live container (BUILDING too) to <vlan>, optionally on another bridge.',
  async run(deps, args) {
    if (args.length < 3 || args.length > 4) throw new Error('usage: vm net connect <vm> <tap position> <vlan> [bridge]');
    const [vm, index, vlan, bridge] = args as [string, string, string, string?];
    await deps.engine.call('vm.net.connect', vm, parseUint(index), vlan, bridge);
    return textResponse('');
  },
};

export const vmNetDisconnect: CliCommand = {
  words: ['vm', 'net', 'disconnect'],
  usage: 'vm net disconnect <vm> <tap position>',
  help: 'Take interface <tap position> of a container off its bridge (the interface stays).',
  async run(deps, args) {
    if (args.length !== 2) throw new Error('usage: vm net disconnect <vm> <tap position>');
    await deps.engine.call('vm.net.disconnect', args[0]!, parseUint(args[1]!));
    return textResponse('');
  },
};
