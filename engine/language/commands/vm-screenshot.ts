/**
 * `vm screenshot`: minimega saves a PNG of a KVM's framebuffer and answers a container with an error
 * (container.go Screenshot); so does nanomega, in minimega's order: a bad maximum dimension, then an
 * unknown VM, then the container. miniweb's VM tiles skip a VM on exactly that error text. A
 * container's screen as text: `vm console screen`.
 */
import { atoi } from '../../config/go-values.js';
import type { Handler } from '../handler.js';
import { findVmByKey, suggestVms } from './targets.js';

export const CONTAINER_SCREENSHOT_ERROR = 'cannot take screenshot of container';

export const vmScreenshotHandler: Handler = {
  patterns: ['vm screenshot <vm name> [maximum dimension]', 'vm screenshot <vm name> file <filename> [maximum dimension]'],
  help: 'take a screenshot of a running vm',
  helpLong:
    "minimega saves a PNG of a KVM's framebuffer (optionally scaled to a maximum dimension, or to FILE). Containers " +
    'have no framebuffer: the answer is `cannot take screenshot of container`, as minimega gives. `vm console screen ' +
    "NAME` prints a container's console screen as text.",
  async call(ctx, cmd) {
    const max = cmd.stringArgs.maximum;
    if (max !== undefined && max !== '') atoi(max);
    findVmByKey(cmd.stringArgs.vm!, await ctx.deps.engine.call('vm.info'));
    throw new Error(CONTAINER_SCREENSHOT_ERROR);
  },
  async suggest(ctx, key, prefix) {
    return key === 'vm' ? suggestVms(await ctx.deps.engine.call('vm.info'), prefix).filter((n) => n !== 'all') : [];
  },
};
