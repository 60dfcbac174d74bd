/** `vm launch`, `vm start`, `vm stop`, `vm kill`, `vm flush`. */
import type { VmResult } from '../../api/types.js';
import { validateConfig } from '../../config/validate.js';
import { launchNames } from '../../config/names.js';
import type { CliCommand } from '../deps.js';
import { type Response, errorResponse } from '../response.js';

/** Errors of a verb's per-container results (the verb went on with the others). */
export function resultErrors(results: readonly VmResult[]): Response {
  return errorResponse(...results.filter((r) => r.error).map((r) => r.error!));
}

export const vmLaunch: CliCommand = {
  words: ['vm', 'launch'],
  usage: 'vm launch container <count|names>',
  help: 'Launch containers from the current vm config, left BUILDING (frozen before init runs). A count n names them vm-<k>; otherwise a list such as foo[0-2],bar.',
  async run(deps, args) {
    let names = args;
    if (names[0] === 'kvm') throw new Error('kvm VMs are not supported; use vm launch container');
    if (names[0] === 'container') names = names.slice(1);
    if (names.length !== 1) throw new Error('usage: vm launch container <count|names>');
    const arg = names[0]!;
    const config = deps.config.current;
    // Check here too so that a bad argument never reaches the daemon; the engine checks again.
    const list = launchNames(arg, () => 0);
    if (list.length > 1 && config.uuid !== '') throw new Error('cannot launch multiple VMs with a pre-configured UUID');
    validateConfig(config);
    return resultErrors(await deps.engine.call('vm.launch', arg, config));
  },
};

function targetVerb(verb: 'start' | 'stop' | 'kill', help: string): CliCommand {
  return {
    words: ['vm', verb],
    usage: `vm ${verb} <target>`,
    help,
    async run(deps, args) {
      if (args.length !== 1) throw new Error(`usage: vm ${verb} <target>`);
      return resultErrors(await deps.engine.call(`vm.${verb}`, args[0]!));
    },
  };
}

export const vmStart = targetVerb('start', 'Start (thaw) BUILDING or PAUSED containers; a named QUIT or ERROR container is relaunched. `all` skips QUIT and ERROR ones.');
export const vmStop = targetVerb('stop', 'Pause (freeze) RUNNING containers.');
export const vmKill = targetVerb('kill', 'Kill containers; they become QUIT.');

export const vmFlush: CliCommand = {
  words: ['vm', 'flush'],
  usage: 'vm flush [target]',
  help: 'Forget QUIT and ERROR containers and remove their instance directories.',
  async run(deps, args) {
    if (args.length > 1) throw new Error('usage: vm flush [target]');
    const results = args.length === 1 ? await deps.engine.call('vm.flush', args[0]!) : await deps.engine.call('vm.flush');
    return resultErrors(results);
  },
};
