/** `vm config …` and `clear vm config [field] [key]`. */
import { FIELDS, KEYED_FIELDS, findField } from '../../config/fields.js';
import type { CliCommand } from '../deps.js';
import { errorResponse, textResponse } from '../response.js';
import { resolveTargets } from './targets.js';

const ok = () => errorResponse();

export const vmConfig: CliCommand = {
  words: ['vm', 'config'],
  usage: 'vm config [<field> [value]... | save <name> | restore [name] | clone <vm>]',
  help: [
    'Print or change the config new containers are launched with. Fields (prefixes allowed):',
    ...FIELDS.map((f) => `  ${f.name} ${f.usage}: ${f.doc}`),
  ].join('\n'),
  async run(deps, args) {
    const store = deps.config;
    if (args.length === 0) return textResponse(store.print());
    const [word, ...rest] = args as [string, ...string[]];
    switch (word) {
      case 'save':
        if (rest.length !== 1) throw new Error('usage: vm config save <name>');
        store.save(rest[0]!);
        return ok();
      case 'restore':
        if (rest.length === 0) return textResponse(store.savedNames().join('\n'));
        if (rest.length !== 1) throw new Error('usage: vm config restore <name>');
        store.restore(rest[0]!);
        return ok();
      case 'clone': {
        if (rest.length !== 1) throw new Error('usage: vm config clone <vm>');
        const vms = resolveTargets(rest[0]!, await deps.engine.call('vm.info'));
        if (vms.length !== 1) throw new Error(`vm not found: ${rest[0]}`);
        store.clone(vms[0]!.config);
        return ok();
      }
    }
    const field = findField(word);
    if (rest.length === 0) return textResponse(store.get(field.name));
    if (rest.length === 1 && KEYED_FIELDS.includes(field.name)) return textResponse(store.get(field.name, rest[0]));
    store.set(field.name, rest);
    return ok();
  },
};

export const clearVmConfig: CliCommand = {
  words: ['clear', 'vm', 'config'],
  usage: 'clear vm config [field] [key]',
  help: 'Reset the whole vm config, one field, or one key of volume/tags, to the defaults.',
  async run(deps, args) {
    if (args.length > 2) throw new Error('usage: clear vm config [field] [key]');
    if (args.length === 0) deps.config.clear();
    else deps.config.clear(args[0]!, args[1]);
    return ok();
  },
};
