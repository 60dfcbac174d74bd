import type { VmResult } from '../api/types.js';
import { expandList } from '../config/names.js';
import type { Container, EngineContext } from '../context.js';
import { EngineError } from '../errors.js';
import { DEFAULT_NAMESPACE } from '../namespace/names.js';

/** The reserved target that means every container. */
export const WILDCARD = 'all';

/** The namespace a container belongs to (records from before namespaces: the default one). */
export function namespaceOf(c: Container): string {
  return c.rec.namespace ?? DEFAULT_NAMESPACE;
}

/** The containers of a namespace, or every container when `ns` is undefined. */
export function containersIn(ctx: EngineContext, ns?: string): Container[] {
  const all = [...ctx.containers.values()];
  return ns === undefined ? all : all.filter((c) => namespaceOf(c) === ns);
}

/** Containers by each value that names them: name, id and uuid. */
function index(pool: readonly Container[]): Map<string, Container[]> {
  const m = new Map<string, Container[]>();
  const add = (k: string, c: Container) => {
    const l = m.get(k);
    if (!l) m.set(k, [c]);
    else if (!l.includes(c)) l.push(c);
  };
  for (const c of pool) {
    add(c.rec.name, c);
    add(String(c.rec.id), c);
    if (c.rec.uuid) add(c.rec.uuid, c);
  }
  return m;
}

/**
 * The containers one target value names. Ids are global; names are unique within a namespace only,
 * so without a namespace a name found in two of them is refused.
 */
function matchesOf(idx: Map<string, Container[]>, v: string, ns: string | undefined): Container[] {
  const hits = idx.get(v) ?? [];
  if (ns === undefined && hits.length > 1) {
    const where = [...new Set(hits.map(namespaceOf))].sort();
    if (where.length > 1) {
      throw new EngineError('E_CONFIG', `vm \`${v}\` is in more than one namespace (${where.join(', ')}): name the namespace or use the id`, { target: v });
    }
  }
  return hits;
}

/** One container by name, id or uuid (in `ns` when given); `vm not found: x` otherwise. */
export function findOne(ctx: EngineContext, target: string, ns?: string): Container {
  const hit = matchesOf(index(containersIn(ctx, ns)), target, ns)[0];
  if (!hit) throw new EngineError('E_NOT_FOUND', `vm not found: ${target}`, { target });
  return hit;
}

/**
 * minimega's `apply`: expand the target (names, ids, uuids, ranges, "all") within namespace `ns`
 * (every namespace when undefined), run `fn` on each match in parallel, collect per-container errors.
 * `fn` returns false when the verb does not apply to that container's state. A target naming exactly
 * one container reports `vm not found: x` or `VM state error: x`; other misses are silent, as in
 * minimega.
 */
export async function apply(ctx: EngineContext, target: string, fn: (c: Container, wild: boolean) => Promise<boolean>, ns?: string): Promise<VmResult[]> {
  const vals = expandList(target);
  const wild = vals.includes(WILDCARD);
  const pool = containersIn(ctx, ns);
  let matches = pool;
  if (!wild) {
    const idx = index(pool);
    matches = [...new Set(vals.flatMap((v) => matchesOf(idx, v, ns)))];
  }
  matches.sort((a, b) => a.rec.id - b.rec.id);
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
