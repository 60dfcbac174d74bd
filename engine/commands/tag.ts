import type { VmResult } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { apply } from './targets.js';

/** `vm tag TARGET KEY VALUE`: set a tag on every matching container. */
export function tag(ctx: EngineContext, target: string, key: string, value: string, ns?: string): Promise<VmResult[]> {
  return apply(
    ctx,
    target,
    async (c) => {
      c.rec.tags[key] = value;
      await ctx.save(c);
      return true;
    },
    ns,
  );
}

/** `clear vm tag [TARGET] [KEY]`: remove one tag, or every tag when no key is given. */
export function clearTag(ctx: EngineContext, target: string, key?: string, ns?: string): Promise<VmResult[]> {
  return apply(
    ctx,
    target,
    async (c) => {
      if (key === undefined) c.rec.tags = {};
      else delete c.rec.tags[key];
      await ctx.save(c);
      return true;
    },
    ns,
  );
}
