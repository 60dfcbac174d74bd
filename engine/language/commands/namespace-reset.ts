/** What `clear all` resets: the containers, `vm config`, saved configs, queue, names and VLAN aliases. */
import type { CallContext } from '../handler.js';

export async function resetNamespace(ctx: CallContext): Promise<void> {
  const errors = [...(await ctx.deps.engine.call('vm.kill', 'all')), ...(await ctx.deps.engine.call('vm.flush', 'all'))]
    .filter((r) => r.error)
    .map((r) => `${r.name}: ${r.error}`);
  ctx.ns.config.clear();
  ctx.ns.config.clearSaved();
  ctx.ns.queue = [];
  ctx.ns.queueing = false;
  ctx.ns.launchCounter = 0;
  // minimega's `clear all` ends with `clear vlans all`: VLAN aliases start again from 101.
  await ctx.deps.engine.call('net.vlans.clear', 'all');
  if (errors.length) throw new Error(errors.join('\n'));
}
