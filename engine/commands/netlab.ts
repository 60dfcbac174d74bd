/** The calls of the network lab tools: qos, capture, tap mirrors, NIC counters and the topology view's layouts. */
import type { Calls } from '../api/contract.js';
import type { NicCounters } from '../api/types.js';
import type { EngineContext } from '../context.js';
import type { LayoutStore } from '../state/layout-store.js';
import { isAlive } from '../state/lifecycle.js';
import { captureStart } from './capture.js';
import { tapMirror, tapMirrorClear, tapMirrors } from './mirror.js';
import { qosAdd, qosClear } from './qos.js';

type NetlabCall =
  | 'qos.add'
  | 'qos.clear'
  | 'capture.list'
  | 'capture.start'
  | 'capture.stop'
  | 'capture.config'
  | 'capture.read'
  | 'net.counters'
  | 'topology.layout.get'
  | 'topology.layout.set'
  | 'tap.mirror'
  | 'tap.mirror.clear'
  | 'tap.mirrors';

export type NetlabHandlers = { [K in NetlabCall]: (...args: Calls[K]['args']) => Promise<Calls[K]['result']> };

export function netlabHandlers(ctx: EngineContext, layouts: LayoutStore): NetlabHandlers {
  return {
    'qos.add': (target, index, op, ns) => qosAdd(ctx, target, index, op, ns ?? undefined),
    // JSON has no undefined: an omitted index arrives as null.
    'qos.clear': (target, index, ns) => qosClear(ctx, target, index ?? undefined, ns ?? undefined),
    'capture.list': async (ns) => ctx.captures.list(ns ?? undefined),
    'capture.start': (spec, ns) => captureStart(ctx, spec, ns ?? undefined),
    'capture.stop': (ids, ns) => ctx.captures.stop(ids, ns ?? undefined),
    'capture.config': async (change, ns) => (change ? ctx.captures.setConfig(change, ns ?? undefined) : ctx.captures.getConfig(ns ?? undefined)),
    'capture.read': (id, offset, length) => ctx.captures.read(id, offset, length),
    'net.counters': (ids) => counters(ctx, ids),
    'topology.layout.get': (namespace) => layouts.get(namespace),
    'topology.layout.set': (namespace, layout) => layouts.set(namespace, layout),
    'tap.mirror': (req, ns) => tapMirror(ctx, req, ns ?? undefined),
    'tap.mirror.clear': (req, ns) => tapMirrorClear(ctx, req, ns ?? undefined),
    'tap.mirrors': (ns) => tapMirrors(ctx, ns ?? undefined),
  };
}

/** Byte counters of the live containers among `ids` (null: all), as each container sees them. */
async function counters(ctx: EngineContext, ids: number[] | null): Promise<NicCounters[]> {
  const wanted = ids === null ? [...ctx.containers.keys()] : ids;
  const out: NicCounters[] = [];
  for (const id of wanted) {
    const c = ctx.containers.get(id);
    if (!c || !isAlive(c.rec.state) || c.rec.nics.length === 0) continue;
    for (const n of await ctx.network.counters(id)) out.push({ id, index: n.index, rxBytes: n.rxBytes, txBytes: n.txBytes });
  }
  return out;
}
