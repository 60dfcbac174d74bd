import type { QosOp, QosSettings, VmResult } from '../api/types.js';
import { serialize, type Container, type EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { isEmptyQos, mergeQos, parseQosOp } from '../net/qos.js';
import { isAlive } from '../state/lifecycle.js';
import { apply } from './targets.js';

/**
 * `qos add TARGET INDEX loss|delay|rate …`: a netem or tbf root qdisc on NIC INDEX's host end, in
 * any state. The setting is kept in the container's record: a QUIT container gets it back when `vm
 * start` relaunches it (its host ends are made anew then), as a minimega KVM VM keeps its taps' qos
 * until flush; a daemon restart finds the qdiscs still in the kernel.
 */
export function qosAdd(ctx: EngineContext, target: string, index: number, op: QosOp, ns?: string): Promise<VmResult[]> {
  const settings = parseQosOp(op); // bad values fail the whole command, before any container is touched
  return apply(
    ctx,
    target,
    async (c) => {
      await serialize(c, async () => {
        checkIndex(c, index);
        const next = mergeQos(qosOf(c, index), op.type, settings);
        try {
          await applyNic(ctx, c, index, next);
        } catch (e) {
          // As minimega: a constraint tc refused leaves the NIC without any (never half-applied).
          await applyNic(ctx, c, index, undefined).catch(() => undefined);
          setQos(c, index, undefined);
          await ctx.save(c);
          throw e;
        }
        setQos(c, index, next);
        await ctx.save(c);
      });
      return true;
    },
    ns,
  );
}

/** `clear qos TARGET [INDEX]`: back to the default qdisc on one NIC or (no index) every NIC. */
export function qosClear(ctx: EngineContext, target: string, index?: number, ns?: string): Promise<VmResult[]> {
  return apply(
    ctx,
    target,
    async (c) => {
      await serialize(c, async () => {
        if (index !== undefined) checkIndex(c, index);
        const which = index === undefined ? c.rec.config.net.map((_, i) => i) : [index];
        for (const i of which) {
          await applyNic(ctx, c, i, undefined);
          setQos(c, i, undefined);
        }
        await ctx.save(c);
      });
      return true;
    },
    ns,
  );
}

/**
 * Installs every recorded qos of `c` on its current host ends: after `vm start` relaunched it (new
 * host ends have the default qdisc).
 */
export async function reapplyQos(ctx: EngineContext, c: Container): Promise<void> {
  for (const q of c.rec.qos ?? []) await applyNic(ctx, c, q.index, q);
}

function checkIndex(c: Container, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= c.rec.config.net.length) {
    throw new EngineError('E_CONFIG', `invalid tap index specified: ${index}`, { field: 'interface', value: index });
  }
}

/** Sets the kernel side when the container has host ends now (a QUIT one gets it at relaunch). */
async function applyNic(ctx: EngineContext, c: Container, index: number, q: QosSettings | undefined): Promise<void> {
  const tap = c.rec.nics[index]?.tap;
  if (!isAlive(c.rec.state) || !tap) return;
  await ctx.qos.apply({ tap, index, initPid: c.rec.initPid }, isEmptyQos(q) ? undefined : q, `qos ${c.rec.name} ${index}`);
}

function qosOf(c: Container, index: number): QosSettings | undefined {
  return c.rec.qos?.find((q) => q.index === index);
}

function setQos(c: Container, index: number, q: QosSettings | undefined): void {
  const rest = (c.rec.qos ?? []).filter((x) => x.index !== index);
  if (!isEmptyQos(q)) rest.push({ ...strip(q!), index });
  rest.sort((a, b) => a.index - b.index);
  c.rec.qos = rest;
}

function strip(q: QosSettings): QosSettings {
  const out: QosSettings = {};
  if (q.loss !== undefined) out.loss = q.loss;
  if (q.delay !== undefined) out.delay = q.delay;
  if (q.rate !== undefined) out.rate = q.rate;
  return out;
}
