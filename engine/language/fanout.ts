/**
 * The fan-out layer of a cluster (minimega's wrapBroadcastCLI and wrapVMTargetCLI): a command that acts
 * on the VMs of a namespace runs on every host of the namespace — here, and on each peer through its
 * daemon's `mesh.run` — and the hosts' answers are merged into one response whose rows carry their
 * host (the `host` column of `.annotate`, `.filter host=…`) and whose simple answers `.compress` folds.
 * Without a cluster, or in a session answering a peer, the command runs here alone, unchanged.
 *
 * `broadcast` merges everything every host said; `target` (a VM target) drops a host's `vm not found:
 * x` when another host has x, so naming a VM anywhere in the cluster works as naming it on one host.
 * A host that cannot be reached answers with an error, and for `vm info` with the containers it last
 * reported, in state UNKNOWN.
 */
import type { ContainerInfo, HostResponse } from '../api/types.js';
import { expandList } from '../config/names.js';
import type { CallContext, Command, Handler, Reply } from './handler.js';
import type { Response } from './response.js';
import { VM_INFO_COLUMNS, VM_SUMMARY_COLUMNS, infoTable } from './commands/vm-info.js';

export type FanOutMode = 'broadcast' | 'target';

/** Commands that fan out, by the words their patterns start with (minimega's wrapped handlers). */
export const FAN_OUT: readonly (readonly [string, FanOutMode])[] = [
  ['vm info', 'broadcast'],
  ['vm top', 'broadcast'],
  ['vm flush', 'broadcast'],
  ['vm start', 'target'],
  ['vm stop', 'target'],
  ['vm kill', 'target'],
  ['vm tag', 'target'],
  ['clear vm tag', 'target'],
  ['vm net', 'target'],
  ['vm exec', 'target'],
  ['vm console', 'target'],
  ['vm screenshot', 'target'],
  ['qos', 'target'],
  ['clear qos', 'target'],
  ['router', 'target'],
  ['clear router', 'target'],
  ['cc', 'broadcast'],
  ['clear cc', 'broadcast'],
  ['host', 'broadcast'],
  ['version', 'broadcast'],
];

/** Answers of unreachable hosts that had none of the targeted VMs: they take no part in the merge. */
const uninvolved = new WeakSet<HostResponse>();

/** The state a container of an unreachable host shows. */
export const UNKNOWN_STATE = 'UNKNOWN';
const NOT_FOUND = 'vm not found: ';

function modeOf(h: Handler): FanOutMode | undefined {
  const first = h.patterns[0] ?? '';
  for (const [words, mode] of FAN_OUT) {
    if (first === words || first.startsWith(`${words} `)) return mode;
  }
  return undefined;
}

/** The command table with the fan-out layer around every handler FAN_OUT names. */
export function withFanOut(handlers: readonly Handler[]): Handler[] {
  return handlers.map((h) => {
    const mode = modeOf(h);
    const call = h.call;
    if (!mode || !call) return h;
    return { ...h, call: (ctx, cmd) => fanOut(mode, call.bind(h), ctx, cmd) };
  });
}

/** One host's answer as a HostResponse. */
function asPart(host: string, r: Response): HostResponse {
  return { host, errors: r.errors, header: r.header, rows: r.rows, hidden: r.hidden, text: r.text, data: r.data };
}

async function fanOut(mode: FanOutMode, call: (ctx: CallContext, cmd: Command) => Promise<Reply>, ctx: CallContext, cmd: Command): Promise<Reply> {
  const cluster = ctx.deps.cluster;
  const hosts = ctx.ns.record.hosts;
  if (!cluster || hosts.every((h) => h === cluster.self)) return call(ctx, cmd);
  const ns = ctx.ns.name;
  const asked = await Promise.all(
    hosts.map(async (host): Promise<HostResponse[]> => {
      if (host === cluster.self) {
        const reply = await call(ctx, cmd).catch((e: unknown) => ({ errors: [(e as Error).message] }) as Response);
        const list: Response[] = [];
        if ('stream' in reply)
          for await (const r of reply.stream) list.push(r); // no fanned-out verb streams today
        else list.push(...('chunks' in reply ? reply.chunks.map((c) => c.response) : [reply]));
        return list.map((r) => asPart(host, r));
      }
      try {
        return await cluster.run(host, cmd.original, ns);
      } catch (e) {
        return [await unreachable(mode, ctx, cmd, host, e)];
      }
    }),
  );
  return merge(mode, asked.flat());
}

/** True when a VM target (`all`, names, ids, UUIDs, ranges) names one of `vms`. */
function targets(target: string, vms: readonly ContainerInfo[]): boolean {
  if (target === 'all') return vms.length > 0;
  let wanted: Set<string>;
  try {
    wanted = new Set(expandList(target));
  } catch {
    return true;
  }
  return vms.some((v) => wanted.has(v.name) || wanted.has(String(v.id)) || wanted.has(v.uuid));
}

/**
 * What stands in for a host that cannot be reached: an error — unless the command names VMs and
 * none of them was on that host when it last reported — and for `vm info`, its VMs in state UNKNOWN.
 */
async function unreachable(mode: FanOutMode, ctx: CallContext, cmd: Command, host: string, e: unknown): Promise<HostResponse> {
  const why = `host ${host} is unreachable: ${(e as Error).message}`;
  const last = await ctx.deps.cluster!.lastKnown(host, ctx.ns.name).catch(() => [] as ContainerInfo[]);
  const target = cmd.stringArgs.vm;
  if (mode === 'target' && target !== undefined && !targets(target, last)) {
    const none: HostResponse = { host, errors: [] };
    uninvolved.add(none);
    return none;
  }
  if (cmd.handler.patterns[0]?.startsWith('vm info')) {
    const vms = last.map((c) => ({ ...c, state: UNKNOWN_STATE as ContainerInfo['state'] }));
    const t = infoTable(vms, cmd.boolArgs.summary ? VM_SUMMARY_COLUMNS : VM_INFO_COLUMNS, host);
    return { host, header: t.header, rows: t.rows, errors: [why], data: t.data };
  }
  return { host, errors: [why] };
}

/** minicli's Responses of several hosts, as one Response (see render.ts for how it prints). */
export function merge(mode: FanOutMode, answers: HostResponse[]): Response {
  const parts = answers.filter((p) => !uninvolved.has(p));
  const out: Response = { errors: [], parts };
  const withRows = parts.filter((p) => p.header);
  if (withRows.length) {
    out.header = withRows[0]!.header;
    out.hidden = withRows[0]!.hidden;
    out.rows = [];
    out.rowHosts = [];
    for (const p of withRows) {
      for (const row of p.rows ?? []) {
        out.rows.push(row);
        out.rowHosts.push(p.host);
      }
    }
  }
  const errors = parts.flatMap((p) => p.errors);
  if (mode === 'broadcast') {
    out.errors = errors;
    return out;
  }
  // A VM is missing only when every host said so.
  const missing = new Map<string, number>();
  for (const p of parts) for (const e of new Set(p.errors)) if (e.startsWith(NOT_FOUND)) missing.set(e, (missing.get(e) ?? 0) + 1);
  const hosts = new Set(parts.map((p) => p.host)).size;
  const kept = errors.filter((e) => !e.startsWith(NOT_FOUND) || missing.get(e) === hosts);
  out.errors = [...new Set(kept.filter((e) => e.startsWith(NOT_FOUND))), ...kept.filter((e) => !e.startsWith(NOT_FOUND))];
  for (const p of parts) p.errors = p.errors.filter((e) => kept.includes(e));
  return out;
}
