import type { VmResult } from '../api/types.js';
import { serialize, type Container, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { canStartNamed, canStartWild, transition } from '../state/lifecycle.js';
import { build } from './launch.js';
import { reapplyQos } from './qos.js';
import { apply } from './targets.js';
import { checkpoint } from '../fault.js';

/** `vm start`: thaw BUILDING/PAUSED; a named QUIT/ERROR container is relaunched in its instance dir. */
export function start(ctx: EngineContext, target: string, ns?: string): Promise<VmResult[]> {
  return apply(
    ctx,
    target,
    async (c, wild) => {
      // minimega: naming a running VM is an error of its own; `all` just skips it.
      if (!wild && c.rec.state === 'RUNNING') throw new EngineError('E_STATE', 'vm is already running', { name: c.rec.name });
      if (wild ? !canStartWild(c.rec.state) : !canStartNamed(c.rec.state)) return false;
      await serialize(c, () => startOne(ctx, c));
      return true;
    },
    ns,
  );
}

async function startOne(ctx: EngineContext, c: Container): Promise<void> {
  const next = transition(c.rec.state, 'RUNNING');
  if (c.rec.state === 'QUIT' || c.rec.state === 'ERROR') {
    c.rec.launchedAt = Date.now();
    await build(ctx, c);
    await reapplyQos(ctx, c);
  }
  await c.cgroups.thaw();
  checkpoint('start.thawed');
  c.rec.state = next;
  await ctx.save(c);
}
