/** `vm tag` and `clear vm tag`. */
import type { Handler } from '../handler.js';
import { errorResponse, tableResponse } from '../response.js';
import { resultErrors } from './vm-lifecycle.js';
import { resolveTargets } from './targets.js';

export const vmTagHandlers: Handler[] = [
  {
    patterns: ['vm tag <vm target> [key or all]', 'vm tag <vm target> <key> <value>'],
    help: 'display or set a tag for the specified VM',
    helpLong: 'Print every tag of the target VMs (no key, or `all`), one tag, or set a tag: `vm tag foo[0-3] color red`.',
    async call(ctx, cmd) {
      const target = cmd.stringArgs.vm!;
      const key = cmd.stringArgs.key || 'all';
      const value = cmd.stringArgs.value;
      if (value !== undefined) {
        if (key === 'all') throw new Error('cannot assign to wildcard');
        return resultErrors(await ctx.deps.engine.call('vm.tag', target, key, value));
      }
      const vms = resolveTargets(target, await ctx.deps.engine.call('vm.info'));
      if (key === 'all') {
        return tableResponse(
          ['name', 'tag', 'value'],
          vms.flatMap((vm) => Object.keys(vm.tags).map((k) => [vm.name, k, vm.tags[k]!])),
        );
      }
      return tableResponse(
        ['name', 'value'],
        vms.map((vm) => [vm.name, vm.tags[key] ?? '']),
      );
    },
  },
  {
    patterns: ['clear vm tag', 'clear vm tag <vm target> [tag]'],
    help: 'remove tags from a VM',
    helpLong: 'Remove one tag, or every tag, from the target VMs (every VM when no target is given).',
    async call(ctx, cmd) {
      const target = cmd.stringArgs.vm ?? 'all';
      const tag = cmd.stringArgs.tag ?? 'all';
      const results = await ctx.deps.engine.call('vm.tag.clear', target, tag === 'all' ? undefined : tag);
      return results.some((r) => r.error) ? resultErrors(results) : errorResponse();
    },
  },
];
