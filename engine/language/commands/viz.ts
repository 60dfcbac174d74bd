/**
 * `viz <filename>`: the namespace's experiment as a Graphviz graph, as minimega's dot.go writes it. Each
 * VM of every host of the namespace is a filled node named `"host:name:id:[ips]:[ip6s]"`, coloured by
 * state; each of its NICs is an edge to a node named by the NIC's VLAN number (-1 when unplugged); every
 * VLAN seen is listed once at the end. A relative name is in the files directory.
 */
import type { Handler } from '../handler.js';
import { errorResponse } from '../response.js';
import { listCell } from '../format.js';
import { filesRelative } from './files.js';

/** The fields of `vm info`'s Data (vm-info.ts vmData) the graph reads. */
interface VizVm {
  Host: string;
  Name: string;
  ID: number;
  State: string;
  Networks: { VLAN: number; IP4: string; IP6: string }[];
}

/** minimega's stateToColor. */
const STATE_COLORS: Record<string, string> = { BUILDING: 'yellow', RUNNING: 'green', PAUSED: 'yellow', QUIT: 'blue', ERROR: 'red' };
/**
 * A state minimega has no colour for (UNKNOWN: a cluster host that cannot be reached). Go's map would
 * give `color=`, which Graphviz refuses as a syntax error.
 */
const OTHER_COLOR = 'gray';

export function vizGraph(vms: readonly VizVm[]): string {
  const lines = ['graph minimega {', 'size="8,11";', 'overlap=false;'];
  const vlans = new Set<number>();
  for (const vm of vms) {
    const ips = listCell(vm.Networks.map((n) => n.IP4));
    const ip6s = listCell(vm.Networks.map((n) => n.IP6));
    const node = `"${vm.Host}:${vm.Name}:${vm.ID}:${ips}:${ip6s}"`;
    lines.push(`${node} [style=filled, color=${STATE_COLORS[vm.State] ?? OTHER_COLOR}];`);
    for (const n of vm.Networks) {
      lines.push(`${node} -- ${n.VLAN}`);
      vlans.add(n.VLAN);
    }
  }
  // minimega lists them in Go's map order, which is random: ascending here.
  for (const v of [...vlans].sort((a, b) => a - b)) lines.push(`${v};`);
  return `${lines.join('\n')}\n}`;
}

export const vizHandler: Handler = {
  patterns: ['viz <filename>'],
  help: 'visualize the current experiment as a graph',
  helpLong:
    "Write the namespace's experiment as a Graphviz graph to FILE (a relative name is in the files directory): a " +
    'node for each VM of every host of the namespace, named host:name:id:[ips]:[ip6s] and coloured by state, ' +
    'joined to a node for each VLAN it has a NIC on. `dot -Tpng FILE` draws it.',
  async call(ctx, cmd) {
    // Every host's VMs, as `vm info` gathers them (fan-out included), not recorded in the history.
    const info = ctx.session.compile('vm info');
    if (info.kind !== 'command' || !info.cmd.handler.call) throw new Error('viz: vm info is not a command');
    const r = await info.cmd.handler.call(ctx, info.cmd);
    if ('chunks' in r || 'stream' in r) throw new Error('viz: vm info answered in parts');
    const parts = r.parts ?? [{ host: ctx.deps.hostname, errors: r.errors, data: r.data }];
    const vms = parts.flatMap((p) => (Array.isArray(p.data) ? (p.data as VizVm[]) : []));
    await ctx.deps.host.writeText(filesRelative(ctx, cmd.stringArgs.filename!), vizGraph(vms));
    return errorResponse(...parts.flatMap((p) => p.errors));
  },
};
