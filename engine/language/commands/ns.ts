/**
 * `ns …`: the namespace's hosts, launch queue and scheduler (minimega's `ns` verb). A daemon alone has
 * one host: `ns hosts` prints it, `ns add-hosts`/`del-hosts` take it (or `localhost`/`all`) and refuse
 * others as minimega refuses hosts outside its mesh, and the scheduler puts every queued VM here. In a
 * cluster (engine/cluster/) the namespace spans the cluster's hosts and `ns schedule` places the queue
 * on them through the elected scheduler (schedule-cluster.ts). `ns bridge` only associates the bridge:
 * the VLANs that span hosts, of any bridge, are tunnelled by the cluster itself (engine/net/vxlan.ts).
 * Left out: `ns save`/`ns snapshot` (minimega saves only KVM VMs and skips containers).
 */
import { expandList } from '../../config/names.js';
import { defaultExtras } from '../../config/extras.js';
import { HOST_SORTS, type HostSort } from '../../namespace/record.js';
import { printConfig } from '../config-print.js';
import type { CallContext, Command, Handler } from '../handler.js';
import { type Response, errorResponse, tableResponse, textResponse } from '../response.js';
import { schedule } from './schedule.js';
import { assignmentRows, clusterAssignment, clusterDryRun, clusterMove, spansCluster } from './schedule-cluster.js';
import { typed } from './namespace.js';

/** minimega's Localhost and Wildcard in host lists. */
const LOCALHOST = 'localhost';
const WILDCARD = 'all';

/** Commands `ns run` refuses to run (minimega's list). */
const NOT_IN_RUN = ['read', 'mesh send', 'ns run', 'vm launch'];

/** Go's time.RFC822 (`02 Jan 06 15:04 MST`) in UTC. */
function rfc822(ms: number): string {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())} ${mon} ${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/**
 * The hosts a list names: this host by name or `localhost`, `all`, and in a cluster its other hosts;
 * anything else is minimega's error.
 */
async function hostsOf(ctx: CallContext, list: string): Promise<string[]> {
  let names: string[];
  try {
    names = expandList(list);
  } catch (e) {
    throw new Error(`invalid hosts -- ${(e as Error).message}`);
  }
  const me = ctx.deps.hostname;
  const known = ctx.deps.cluster ? (await ctx.deps.cluster.hosts()).map((h) => h.name) : [me];
  return names.flatMap((h) => {
    if (h === WILDCARD) return known;
    if (h === LOCALHOST || h === me) return [me];
    if (known.includes(h)) return [h];
    throw new Error(`unknown host: \`${h}\``);
  });
}

/** The queue as minimega's `ns queue` prints it. */
function queueText(ctx: CallContext): string {
  let out = '';
  for (const q of ctx.ns.queue) {
    out += `VMs: ${q.names.length}\nNames: ${q.names.filter((n) => n !== '').join(',')}\nVM Type: container\n\n`;
    out += `${printConfig({ c: q.config, x: ctx.ns.config.extras ?? defaultExtras() })}\n\n`;
  }
  return out;
}

async function scheduleVerb(ctx: CallContext, cmd: Command): Promise<Response> {
  const a = cmd.boolArgs;
  const here = ctx.deps.hostname;
  const cluster = spansCluster(ctx);
  if (a['dry-run'] || a.dump) {
    if (a['dry-run']) {
      if (ctx.ns.queue.length === 0) throw new Error('namespace must contain at least one queued VM to launch VMs');
      if (cluster) await clusterDryRun(ctx);
      ctx.ns.assignment = here;
    }
    if (ctx.ns.assignment === undefined) throw new Error('must run dry-run first');
    const placed = cluster ? clusterAssignment(ctx) : undefined;
    if (cluster && !placed) throw new Error('must run dry-run first');
    const rows = placed ? assignmentRows(placed) : ctx.ns.queue.flatMap((q) => q.names.map((n): [string, string] => [n, ctx.ns.assignment!]));
    return tableResponse(['vm', 'dst'], rows);
  }
  if (a.mv) {
    if (ctx.ns.assignment === undefined) throw new Error('must run dry-run first');
    const dst = cmd.stringArgs.dst!;
    if (!ctx.ns.record.hosts.includes(dst)) throw new Error('new dst host is not in namespace');
    if (cluster && clusterAssignment(ctx)) {
      clusterMove(ctx, expandList(cmd.stringArgs.vm!), dst);
      return errorResponse();
    }
    for (const v of expandList(cmd.stringArgs.vm!)) {
      if (!ctx.ns.queue.some((q) => q.names.includes(v))) throw new Error(`reassign ${v}: vm not found`);
    }
    return errorResponse();
  }
  if (a.status) {
    const rows = ctx.ns.schedules.map((s) => [
      rfc822(s.start),
      s.end ? rfc822(s.end) : '',
      s.state,
      String(s.launched),
      String(s.failures),
      String(s.total),
      String(s.hosts),
    ]);
    return tableResponse(['start', 'end', 'state', 'launched', 'failures', 'total', 'hosts'], rows);
  }
  return schedule(ctx);
}

/** True when `cmd` or a command it wraps starts with the words of `line` (minimega's hasCommand). */
function hasCommand(cmd: Command | undefined, line: string): boolean {
  for (let c = cmd; c; c = c.subcommand) {
    const words = c.words.join(' ');
    if (words === line || words.startsWith(`${line} `)) return true;
  }
  return false;
}

export const nsHandlers: Handler[] = [
  {
    patterns: [
      'ns <hosts,>',
      'ns <add-hosts,> <hostname or range or all>',
      'ns <del-hosts,> <hostname or range or all>',
      'ns <load,>',
      'ns <load,> <cpucommit,>',
      'ns <load,> <netcommit,>',
      'ns <load,> <memcommit,>',
      'ns <queue,>',
      'ns <flush,>',
      'ns <queueing,> [true,false]',
      'ns <schedule,>',
      'ns <schedule,> <dry-run,>',
      'ns <schedule,> <dump,>',
      'ns <schedule,> <mv,> <vm target> <dst>',
      'ns <schedule,> <status,>',
      'ns <bridge,> <bridge> [vxlan,gre]',
      'ns <del-bridge,> <bridge>',
    ],
    help: 'tinker with active namespace',
    helpLong:
      'hosts: the hosts of the namespace (this host, or in a cluster its hosts); add-hosts/del-hosts HOSTS: hosts of ' +
      'the cluster by name, localhost or all (others are not in the mesh); load [cpucommit|netcommit|memcommit]: how the scheduler ranks hosts; ' +
      'queue: the VMs queued for launch; flush: forget the queue; queueing true|false: `vm launch container …` ' +
      'only queues until `vm launch` (or `ns schedule`) launches the queue; schedule [dry-run|dump|mv VM HOST|' +
      'status]: launch the queue, show the placement, or the scheduler runs; bridge NAME / del-bridge NAME: ' +
      'associate a bridge with the namespace (one host: no tunnels are needed).',
    async call(ctx, cmd) {
      const a = cmd.boolArgs;
      const rec = ctx.ns.record;
      if (a.hosts) return textResponse(rec.hosts.join(','));
      if (a['add-hosts']) {
        const hosts = await hostsOf(ctx, cmd.stringArgs.hostname!);
        rec.hosts = [...new Set([...rec.hosts, ...hosts])];
        return errorResponse();
      }
      if (a['del-hosts']) {
        const list = cmd.stringArgs.hostname!;
        const gone = expandList(list).map((h) => (h === LOCALHOST ? ctx.deps.hostname : h));
        rec.hosts = gone.includes(WILDCARD) ? [] : rec.hosts.filter((h) => !gone.includes(h));
        return errorResponse();
      }
      if (a.load) {
        const sort = HOST_SORTS.find((k) => a[k]);
        if (sort) {
          rec.hostSortBy = sort as HostSort;
          return errorResponse();
        }
        return textResponse(rec.hostSortBy);
      }
      if (a.queue) return textResponse(queueText(ctx));
      if (a.flush) {
        ctx.ns.queue = [];
        ctx.ns.assignment = undefined;
        return errorResponse();
      }
      if (a.queueing) {
        if (a.true || a.false) {
          ctx.ns.queueing = !!a.true;
          return errorResponse();
        }
        return textResponse(String(ctx.ns.queueing));
      }
      if (a.schedule) return scheduleVerb(ctx, cmd);
      if (a.bridge) {
        const b = cmd.stringArgs.bridge!;
        if (b === '') throw new Error('bridge name must not be empty string');
        if (rec.hosts.length > 1) throw new Error('ns bridge: tunnels between hosts need namespaces that span hosts');
        rec.bridges = { ...rec.bridges, [b]: 0 };
        return errorResponse();
      }
      if (a['del-bridge']) {
        const b = cmd.stringArgs.bridge!;
        if (b === '') throw new Error('bridge name must not be empty string');
        if (!(b in rec.bridges)) throw new Error('bridge is not associated with namespace');
        const { [b]: _gone, ...rest } = rec.bridges;
        rec.bridges = rest;
        return errorResponse();
      }
      throw new Error(`invalid command: \`${cmd.original}\``);
    },
  },
  {
    patterns: ['ns <run,> (command)'],
    help: 'run a command on all nodes in the namespace',
    helpLong: 'Run a command on every host of the namespace (this host), in the namespace. read, mesh send, ns run and vm launch cannot be run so.',
    wrap: {
      before(ctx, cmd, inner) {
        for (const forbidden of NOT_IN_RUN) {
          if (hasCommand(inner, forbidden)) throw new Error(`cannot run \`${typed(inner)}\` using \`ns run\``);
        }
        inner.namespace ??= cmd.namespace ?? ctx.ns.name;
      },
    },
  },
];
