import type { VmResult } from '../api/types.js';
import { serialize, type EngineContext } from '../context.js';
import { canStop, transition } from '../state/lifecycle.js';
import { apply } from './targets.js';
import { checkpoint } from '../fault.js';

/** `vm stop`: freeze every task of a running container → PAUSED. */
export function stop(ctx: EngineContext, target: string, ns?: string): Promise<VmResult[]> {
  return apply(
    ctx,
    target,
    async (c) => {
      if (!canStop(c.rec.state)) return false;
      await serialize(c, async () => {
        const next = transition(c.rec.state, 'PAUSED');
        await c.cgroups.freeze();
        checkpoint('stop.frozen');
        c.rec.state = next;
        await ctx.save(c);
      });
      return true;
    },
    ns,
  );
}
