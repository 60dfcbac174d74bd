import type { VmResult } from '../api/types.js';
import { serialize, type Container, type EngineContext } from '../context.js';
import { canStartNamed, canStartWild, transition } from '../state/lifecycle.js';
import { build } from './launch.js';
import { reapplyQos } from './qos.js';
import { apply } from './targets.js';

/** `vm start`: thaw BUILDING/PAUSED; a named QUIT/ERROR container is relaunched in its instance dir. */
export function start(ctx: EngineContext, target: string): Promise<VmResult[]> {
  return apply(ctx, target, async (c, wild) => {
    if (wild ? !canStartWild(c.rec.state) : !canStartNamed(c.rec.state)) return false;
    await serialize(c, () => startOne(ctx, c));
    return true;
  });
}

async function startOne(ctx: EngineContext, c: Container): Promise<void> {
  const next = transition(c.rec.state, 'RUNNING');
  if (c.rec.state === 'QUIT' || c.rec.state === 'ERROR') {
    c.rec.launchedAt = Date.now();
    await build(ctx, c);
    await reapplyQos(ctx, c);
  }
  await c.cgroups.thaw();
  c.rec.state = next;
  await ctx.save(c);
}
