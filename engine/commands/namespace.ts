/**
 * The engine's namespace calls: list, create and destroy (minimega's `namespace`, `clear namespace`).
 * Destroying one is minimega's Namespace.Destroy for what nanomega has: its containers killed and
 * flushed, its VLAN aliases and range freed, then whatever other modules keep per namespace (cc
 * state, pipes) through `also`, and last its record.
 */
import type { Calls } from '../api/contract.js';
import type { NamespaceInfo } from '../api/types.js';
import type { EngineContext } from '../context.js';
import { ALL_NAMESPACES, DEFAULT_NAMESPACE, checkNamespaceName } from '../namespace/names.js';
import type { Namespace } from '../namespace/namespaces.js';
import { flush } from './flush.js';
import { kill } from './kill.js';
import { containersIn } from './targets.js';

type NamespaceCall = 'ns.list' | 'ns.create' | 'ns.destroy';
export type NamespaceHandlers = { [K in NamespaceCall]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']> };

/** A namespace argument of a call: omitted (JSON null) is undefined; a bad name is E_CONFIG. */
export function nsArg(ns: string | null | undefined): string | undefined {
  if (ns === undefined || ns === null) return undefined;
  checkNamespaceName(ns);
  return ns;
}

/** minimega's namespace row: the default namespace shows the global VLAN range, others their own. */
export function namespaceInfo(ctx: EngineContext, ns: Namespace): NamespaceInfo {
  const r = ctx.network.vlans.rangeOf(ns.name);
  return {
    name: ns.name,
    vms: containersIn(ctx, ns.name).length,
    vlans: r ? `${r.min}-${r.max}` : '',
    active: ctx.namespaces.active === ns.name,
    hosts: [...ns.record.hosts],
    queueing: ns.queueing,
  };
}

/** Kill and forget a namespace's containers, free what it holds, forget it. */
export async function destroyNamespace(ctx: EngineContext, name: string, also: (name: string) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  if (containersIn(ctx, name).length > 0) {
    for (const r of [...(await kill(ctx, 'all', name)), ...(await flush(ctx, 'all', name))]) if (r.error) errors.push(`${r.name}: ${r.error}`);
  }
  await ctx.network.editVlans((v) => v.deleteNamespace(name));
  await also(name);
  // A container that would not die keeps its namespace: the record stays so it can be flushed later.
  if (containersIn(ctx, name).length === 0) await ctx.namespaces.remove(name);
  if (errors.length) throw new Error(`clear namespace ${name}: ${errors.join('; ')}`);
}

export function namespaceHandlers(ctx: EngineContext, also: (name: string) => Promise<void>): NamespaceHandlers {
  return {
    'ns.list': async () => ctx.namespaces.list().map((ns) => namespaceInfo(ctx, ns)),
    'ns.create': async (name) => namespaceInfo(ctx, await ctx.namespaces.create(nsArg(name) ?? DEFAULT_NAMESPACE)),
    'ns.destroy': async (name) => {
      if (name === ALL_NAMESPACES) {
        for (const ns of ctx.namespaces.list()) await destroyNamespace(ctx, ns.name, also);
        return;
      }
      checkNamespaceName(name);
      if (!ctx.namespaces.get(name)) throw new Error(`unknown namespace: ${name}`);
      await destroyNamespace(ctx, name, also);
    },
  };
}
