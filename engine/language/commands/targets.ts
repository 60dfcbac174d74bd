/** Resolving VM targets of the language against the engine's list of containers. */
import type { ContainerInfo } from '../../api/types.js';
import { expandList } from '../../config/names.js';

/** Containers a target names (`all`, names, ids, ranges, comma lists); `vm not found: <x>` for a miss. */
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

/** One VM by id or name (minimega's `vm config clone` lookup). */
export function findVm(name: string, vms: readonly ContainerInfo[]): ContainerInfo {
  const vm = /^[+-]?[0-9]+$/.test(name) ? vms.find((v) => v.id === Number(name)) : vms.find((v) => v.name === name);
  if (!vm) throw new Error(`vm not found: ${name}`);
  return vm;
}

/** One VM as minimega's VMs.FindVM finds it: a number is an id, anything else a name or a UUID. */
export function findVmByKey(key: string, vms: readonly ContainerInfo[]): ContainerInfo {
  const vm = /^[+-]?[0-9]+$/.test(key) ? vms.find((v) => v.id === Number(key)) : vms.find((v) => v.name === key || v.uuid === key);
  if (!vm) throw new Error(`vm not found: ${key}`);
  return vm;
}

/** VM names for completion of a target: names starting with the prefix, and `all` when it fits. */
export function suggestVms(vms: readonly ContainerInfo[], prefix: string): string[] {
  const names = vms.map((v) => v.name).filter((n) => n.startsWith(prefix));
  return 'all'.startsWith(prefix) ? [...names, 'all'] : names;
}
