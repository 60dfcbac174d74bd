/** What `clear all` resets in a namespace: its containers, `vm config`, saved configs, queue and names. */
import type { CallContext } from '../handler.js';

export async function resetNamespace(ctx: CallContext): Promise<void> {
  const errors = [...(await ctx.deps.engine.call('vm.kill', 'all')), ...(await ctx.deps.engine.call('vm.flush', 'all'))]
    .filter((r) => r.error)
    .map((r) => `${r.name}: ${r.error}`);
  ctx.ns.config.clear();
  ctx.ns.config.clearSaved();
  ctx.ns.queue = [];
  ctx.ns.launchCounter = 0;
  if (errors.length) throw new Error(errors.join('\n'));
}
