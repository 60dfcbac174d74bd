import type { VmResult } from '../api/types.js';
import { serialize, type EngineContext } from '../context.js';
import { canFlush } from '../state/lifecycle.js';
import { apply, WILDCARD } from './targets.js';
import { checkpoint } from '../fault.js';
import { layerPath, mountPoints } from '../rootfs/layers.js';

/** `vm flush`: forget QUIT/ERROR containers and remove their instance directories. */
export async function flush(ctx: EngineContext, target = WILDCARD, ns?: string): Promise<VmResult[]> {
  const removed: number[] = [];
  let mounted: Promise<Set<string>> | undefined;
  const results = await apply(
    ctx,
    target,
    async (c) => {
      if (!canFlush(c.rec.state)) return false;
      await serialize(c, async () => {
        await c.cgroups.remove(); // normally gone already; a no-op then
        checkpoint('flush.cgroups-removed');
        // The writable layer (a tmpfs kept from launch to flush, like minimega's overlay) goes first.
        const layer = layerPath(ctx.store.dir(c.rec.id));
        if ((await (mounted ??= mountPoints(ctx.host))).has(layer)) await ctx.layers.unmount(layer);
        await ctx.store.remove(c.rec.id);
        ctx.containers.delete(c.rec.id);
        removed.push(c.rec.id);
      });
      return true;
    },
    ns,
  );
  if (removed.length) ctx.emit('containers.removed', removed);
  return results;
}
