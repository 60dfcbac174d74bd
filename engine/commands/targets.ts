import type { VmResult } from '../api/types.js';
import { expandList } from '../config/names.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';

/** The reserved target that means every container. */
export const WILDCARD = 'all';

/**
 * minimega's `apply`: expand the target (names, ids, uuids, ranges, "all"), run `fn` on each
 * match in parallel, collect per-container errors. `fn` returns false when the verb does not
 * apply to that container's state. A target naming exactly one container reports
 * `vm not found: x` or `VM state error: x`; other misses are silent, as in minimega.
 */
export async function apply(
  ctx: EngineContext,
  target: string,
  fn: (c: Container, wild: boolean) => Promise<boolean>,
): Promise<VmResult[]> {
  const vals = expandList(target);
  const wild = vals.includes(WILDCARD);
  const wanted = new Set(vals.filter((v) => v !== WILDCARD));
  const matches = [...ctx.containers.values()].filter(
    (c) => wild || wanted.has(c.rec.name) || wanted.has(String(c.rec.id)) || wanted.has(c.rec.uuid),
  );
  const results = await Promise.all(
    matches.map(async (c): Promise<VmResult & { applied: boolean }> => {
      const base = { id: c.rec.id, name: c.rec.name };
      try {
        return { ...base, applied: await fn(c, wild) };
      } catch (e) {
        return { ...base, applied: true, error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
  if (vals.length === 1 && !wild) {
    const v = vals[0]!;
    if (matches.length === 0) throw new EngineError('E_NOT_FOUND', `vm not found: ${v}`, { target: v });
    if (!results[0]!.applied) throw new EngineError('E_STATE', `VM state error: ${v}`, { target: v });
  }
  return results.map(({ applied: _applied, ...r }) => r);
}
