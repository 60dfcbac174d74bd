/** `vm launch`, `vm start`, `vm stop`, `vm kill`, `vm flush`. */
import type { VmResult } from '../../api/types.js';
import { copyConfig } from '../../config/defaults.js';
import { launchNames } from '../../config/names.js';
import { validateConfig } from '../../config/validate.js';
import type { CallContext, Handler } from '../handler.js';
import { enqueue, schedule } from './schedule.js';
import { type Response, errorResponse } from '../response.js';
import { suggestVms } from './targets.js';

/** Errors of a verb's per-container results (the verb went on with the others). */
export function resultErrors(results: readonly VmResult[]): Response {
  return errorResponse(...results.filter((r) => r.error).map((r) => r.error!));
}

/** Completion of `<vm>` items from the engine's containers. */
async function suggestTarget(ctx: CallContext, key: string, prefix: string): Promise<string[]> {
  return key === 'vm' ? suggestVms(await ctx.deps.engine.call('vm.info'), prefix) : [];
}

const vmLaunch: Handler = {
  patterns: [
    'vm launch',
    'vm launch <kvm,> <name or count> [config]',
    'vm launch <container,> <name or count> [config]',
    'vm launch <android,> <name or count> [config]',
  ],
  help: 'launch virtual machines in a paused state',
  helpLong:
    'Launch containers from the current vm config (or a saved one: `vm launch container 5 endpoint`), left BUILDING ' +
    '(frozen before init runs) until `vm start`. A count n names them vm-<k> from a per-namespace counter; otherwise ' +
    'a name or a list such as foo[0-2],bar. Names may not be integers or `all`. With queueing on, VMs wait for ' +
    '`vm launch` with no arguments. KVM and Android VMs are not supported.',
  async call(ctx, cmd) {
    if (cmd.boolArgs.kvm || cmd.boolArgs.android) {
      throw new Error(`${cmd.boolArgs.kvm ? 'kvm' : 'android'} VMs are not supported by nanomega: use vm launch container`);
    }
    if (!cmd.boolArgs.container) return schedule(ctx);
    const saved = cmd.stringArgs.config;
    const config = saved ? ctx.ns.config.savedConfig(saved).c : copyConfig(ctx.ns.config.current);
    const x = saved ? ctx.ns.config.savedConfig(saved).x : ctx.ns.config.extras;
    const placement = { schedule: x.schedule === 'localhost' ? ctx.deps.hostname : x.schedule, colocate: x.colocate, coschedule: x.coschedule };
    // Count launches get their names when launched: only then does the counter advance.
    const names = /^[+-]?[0-9]+$/.test(cmd.stringArgs.name!)
      ? launchNames(cmd.stringArgs.name!, () => 0).map(() => '')
      : launchNames(cmd.stringArgs.name!, () => 0);
    validateConfig(config);
    await enqueue(ctx, names, config, placement);
    return ctx.ns.queueing ? errorResponse() : schedule(ctx);
  },
};

function targetVerb(verb: 'start' | 'stop' | 'kill', help: string, helpLong: string): Handler {
  return {
    patterns: [`vm ${verb} <vm target>`],
    help,
    helpLong,
    suggest: suggestTarget,
    async call(ctx, cmd) {
      return resultErrors(await ctx.deps.engine.call(`vm.${verb}`, cmd.stringArgs.vm!));
    },
  };
}

export const vmLifecycleHandlers: Handler[] = [
  vmLaunch,
  targetVerb(
    'start',
    'start paused virtual machines',
    'Start (thaw) BUILDING or PAUSED containers. A QUIT or ERROR container named on its own is relaunched in its instance directory; `all` skips those. Naming a RUNNING container is an error.',
  ),
  targetVerb('stop', 'stop/pause virtual machines', 'Pause (freeze) RUNNING containers; `vm start` resumes them.'),
  targetVerb('kill', 'kill running virtual machines', 'Kill containers; they become QUIT and stay listed until `vm flush`.'),
  {
    patterns: ['vm flush', 'vm flush <vm target>'],
    help: 'discard information about quit or failed VMs',
    helpLong: 'Forget QUIT and ERROR containers (all of them, or those of a target) and remove their instance directories.',
    suggest: suggestTarget,
    async call(ctx, cmd) {
      const t = cmd.stringArgs.vm;
      return resultErrors(t === undefined ? await ctx.deps.engine.call('vm.flush') : await ctx.deps.engine.call('vm.flush', t));
    },
  },
];
