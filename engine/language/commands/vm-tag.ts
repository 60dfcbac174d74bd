/** `vm tag <target> [key] [value]`. */
import type { CliCommand } from '../deps.js';
import { tableResponse } from '../response.js';
import { resultErrors } from './vm-lifecycle.js';
import { resolveTargets } from './targets.js';

export const vmTag: CliCommand = {
  words: ['vm', 'tag'],
  usage: 'vm tag <target> [key] [value]',
  help: 'Set a tag (with a value), print one tag (with a key) or every tag of the target containers.',
  async run(deps, args) {
    if (args.length < 1 || args.length > 3) throw new Error('usage: vm tag <target> [key] [value]');
    const [target, key, value] = args as [string, string?, string?];
    if (value !== undefined) {
      if (key === 'all') throw new Error('cannot assign to wildcard');
      return resultErrors(await deps.engine.call('vm.tag', target, key!, value));
    }
    const vms = resolveTargets(target, await deps.engine.call('vm.info'));
    if (key === undefined || key === 'all') {
      const rows = vms.flatMap((vm) => Object.keys(vm.tags).sort().map((k) => [vm.name, k, vm.tags[k]!]));
      return tableResponse(['name', 'tag', 'value'], rows);
    }
    return tableResponse(['name', 'value'], vms.map((vm) => [vm.name, vm.tags[key] ?? '']));
  },
};
