/** Attaching a launch wave of containers to the network, each container's failure its own. */
import { EngineError } from '../errors.js';
import { containerLines } from './batch.js';
import { runBatch } from './ip.js';
import { makeHostEnds, removeContainerNics } from './network-host-ends.js';
import { nicInfo, planAttach } from './network-plan.js';
import type { NetParts } from './network-state.js';
import type { AttachOptions, AttachRequest, AttachResult, PlannedAttach } from './network-types.js';

/** Container-side `nsenter … ip -batch` processes run at once in an attach wave (containerSide 'nsenter'). */
const CONTAINER_BATCH_CONCURRENCY = 32;

/**
 * Attaches a launch wave: one `ip -batch` (plus one `bridge -batch` in vlan-filtering mode) for all
 * host ends, then (containerSide 'nsenter') one `nsenter … ip -batch` per container. A failed
 * container is rolled back and reported; the others are kept. With containerSide 'caller' the
 * container ends exist but are down; the caller brings them up (AttachResult.container) and
 * detaches the container if it cannot.
 */
export async function attachWave(parts: NetParts, list: readonly AttachRequest[], opts: AttachOptions): Promise<AttachResult[]> {
  const { state } = parts;
  const results = new Map<number, AttachResult>();
  const planned: PlannedAttach[] = [];
  const macs = state.macsInUse();
  for (const req of list) {
    try {
      planned.push({ req, nics: planAttach(parts, req, macs) });
    } catch (e) {
      results.set(req.c.id, { id: req.c.id, ok: false, error: asEngineError(e) });
    }
  }
  for (const p of planned) state.containers.set(p.req.c.id, { pid: p.req.initPid, nics: p.nics });
  await state.save();
  let hostDone = planned;
  try {
    await makeHostEnds(parts, planned);
  } catch (e) {
    await removeContainerNics(
      parts,
      planned.map((p) => p.req.c.id),
    );
    if (planned.length === 1) {
      results.set(planned[0]!.req.c.id, { id: planned[0]!.req.c.id, ok: false, error: asEngineError(e) });
      hostDone = [];
    } else {
      // Find the culprit: one wave per container, so one bad pid cannot fail the others.
      hostDone = [];
      for (const p of planned) {
        state.containers.set(p.req.c.id, { pid: p.req.initPid, nics: p.nics });
        try {
          await makeHostEnds(parts, [p]);
          hostDone.push(p);
        } catch (e2) {
          await removeContainerNics(parts, [p.req.c.id]);
          results.set(p.req.c.id, { id: p.req.c.id, ok: false, error: asEngineError(e2) });
        }
      }
    }
  }
  const done = (p: PlannedAttach): AttachResult => ({
    id: p.req.c.id,
    ok: true,
    nics: p.nics.map(nicInfo),
    container: p.nics.map((n) => ({ ifname: n.ifname, ip: n.ip })),
  });
  if (opts.containerSide === 'caller') {
    for (const p of hostDone) results.set(p.req.c.id, done(p));
  } else {
    await mapLimit(hostDone, CONTAINER_BATCH_CONCURRENCY, async (p) => {
      try {
        await runBatch(parts.host, 'ip', containerLines(p.nics), { op: `attach c${p.req.c.id} (pid ${p.req.initPid})`, netnsPid: p.req.initPid });
        results.set(p.req.c.id, done(p));
      } catch (e) {
        results.set(p.req.c.id, { id: p.req.c.id, ok: false, error: asEngineError(e) });
      }
    });
  }
  const failed = [...results.values()].filter((r) => !r.ok && state.containers.has(r.id)).map((r) => r.id);
  if (failed.length > 0) await removeContainerNics(parts, failed);
  await state.save();
  return list.map((req) => results.get(req.c.id)!);
}

function asEngineError(e: unknown): EngineError {
  return e instanceof EngineError ? e : new EngineError('E_INTERNAL', e instanceof Error ? e.message : String(e));
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
