/** Resolving a target (`all`, names, ids, uuids, ranges, comma lists) against a list of containers. */
import type { ContainerInfo } from '../../api/types.js';
import { expandList } from '../../config/names.js';

/** Containers a target names; throws `vm not found: <x>` for a part that names none. */
export function resolveTargets(target: string, vms: readonly ContainerInfo[]): ContainerInfo[] {
  if (target === 'all') return [...vms];
  const out: ContainerInfo[] = [];
  for (const part of expandList(target)) {
    const vm = vms.find((v) => v.name === part || v.uuid === part || String(v.id) === part);
    if (!vm) throw new Error(`vm not found: ${part}`);
    if (!out.includes(vm)) out.push(vm);
  }
  return out;
}
