/**
 * `namespace [NAME [COMMAND…]]` and `clear namespace [NAME|all]` (minimega's namespace_cli.go). A
 * session starts in the namespace the last `namespace NAME` chose (minimega's active namespace);
 * `namespace NAME COMMAND` runs one command there without switching. The `active` column marks the
 * namespace the listing command itself runs in.
 */
import { ALL_NAMESPACES, DEFAULT_NAMESPACE, checkNamespaceName } from '../../namespace/names.js';
import type { Command, Handler } from '../handler.js';
import { errorResponse, tableResponse } from '../response.js';

async function suggestNamespaces(names: () => Promise<string[]>, prefix: string, wild: boolean): Promise<string[]> {
  const all = (await names()).filter((n) => n.startsWith(prefix));
  return wild && ALL_NAMESPACES.startsWith(prefix) ? [ALL_NAMESPACES, ...all] : all;
}

/** A wrapped command as typed, its own nested commands included (for error texts). */
export function typed(cmd: Command): string {
  const parts: string[] = [];
  for (let c: Command | undefined = cmd; c; c = c.subcommand) parts.push(c.original);
  return parts.join(' ');
}

export const namespaceHandler: Handler = {
  patterns: ['namespace [name]', 'namespace <name> (command)'],
  help: 'display or change namespace',
  helpLong:
    'With no arguments, list the namespaces: name, the VLAN range of its aliases (`vlans range`; the default ' +
    'namespace shows the global one) and whether it is active (the namespace the command runs in). With a name, ' +
    'switch to that namespace (made when new; new sessions start there too), or run one command in it without ' +
    'switching: `namespace lab vm info`. VMs, vm config, VLAN aliases, pipes and cc are separate per namespace; ' +
    'the default one is minimega. Names are letters, digits, - _ and .; one `namespace NAME` cannot wrap another.',
  async suggest(ctx, key, prefix) {
    if (key !== 'name') return [];
    return suggestNamespaces(async () => (await ctx.deps.engine.call('ns.list')).map((n) => n.name), prefix, false);
  },
  wrap: {
    before(ctx, cmd, inner) {
      const name = cmd.stringArgs.name!;
      checkNamespaceName(name);
      // minimega tags the inner command and lets an inner `namespace B` switch the process-wide namespace
      // as a side effect; one namespace inside another is refused here instead.
      if (inner.handler === namespaceHandler && inner.stringArgs.name !== undefined) {
        throw new Error(`namespace ${name}: cannot nest \`${typed(inner)}\`: run one namespace command at a time`);
      }
      ctx.session.scope(name);
      inner.namespace = name;
    },
  },
  async call(ctx, cmd) {
    const name = cmd.stringArgs.name;
    if (name !== undefined) {
      checkNamespaceName(name);
      await ctx.session.switchNamespace(name);
      return errorResponse();
    }
    const list = await ctx.deps.engine.call('ns.list');
    const here = ctx.ns.name;
    const rows = list.map((n) => [n.name, n.vlans, String(n.name === here)]);
    if (!list.some((n) => n.name === here)) rows.push([here, '', 'true']);
    return { ...tableResponse(['namespace', 'vlans', 'active'], rows), data: list };
  },
};

export const clearNamespaceHandler: Handler = {
  patterns: ['clear namespace [name]'],
  help: 'unset or delete namespace',
  helpLong:
    'Without a name, go back to the default namespace, minimega. With a name, destroy that namespace: kill and ' +
    'forget its VMs, free its VLAN aliases and range, its pipes and its cc state. `all` destroys every namespace ' +
    'and goes back to the default one. The namespace the session is in cannot be destroyed by name: leave it first.',
  async suggest(ctx, key, prefix) {
    if (key !== 'name') return [];
    return suggestNamespaces(async () => (await ctx.deps.engine.call('ns.list')).map((n) => n.name), prefix, true);
  },
  async call(ctx, cmd) {
    const name = cmd.stringArgs.name;
    if (name === undefined || name === '') {
      await ctx.session.switchNamespace(DEFAULT_NAMESPACE);
      return errorResponse();
    }
    if (name !== ALL_NAMESPACES) {
      checkNamespaceName(name);
      // Neither the session's namespace nor the one the command runs in (`namespace lab clear namespace lab`).
      if (name === ctx.session.namespace || name === ctx.ns.name) {
        throw new Error(`cannot clear namespace ${name}: it is the current namespace (leave it first: clear namespace)`);
      }
    }
    try {
      await ctx.deps.engine.call('ns.destroy', name);
    } finally {
      if (name === ALL_NAMESPACES) await ctx.session.switchNamespace(DEFAULT_NAMESPACE);
    }
    return errorResponse();
  },
};
