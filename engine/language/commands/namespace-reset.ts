/**
 * What `clear all` resets, as minimega's: every namespace destroyed (`clear namespace all`: containers
 * killed and forgotten, aliases, pipes and cc state freed; the session back in the default namespace,
 * whose `vm config`, saved configs, queue and counter start afresh), then `clear vlans all`.
 */
import { DEFAULT_NAMESPACE } from '../../namespace/names.js';
import type { CallContext } from '../handler.js';

export async function resetNamespace(ctx: CallContext): Promise<void> {
  let failure: unknown;
  try {
    await ctx.deps.engine.call('ns.destroy', 'all');
  } catch (e) {
    failure = e;
  }
  await ctx.session.switchNamespace(DEFAULT_NAMESPACE);
  // The engine made the default namespace afresh; a language whose engine is elsewhere resets it here.
  const ns = ctx.session.scope(DEFAULT_NAMESPACE);
  ns.config.clear();
  ns.config.clearSaved();
  ns.queue = [];
  ns.queueing = false;
  // minimega's `clear all` ends with `clear vlans all`: VLAN aliases start again from 101.
  await ctx.deps.engine.call('net.vlans.clear', 'all');
  if (failure) throw failure;
}
