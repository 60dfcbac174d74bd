import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { ContainerId, ContainerInfo, VmResult } from '../../engine/api/types';
import { useNotices } from './notices';

export type BulkVerb = 'start' | 'stop' | 'kill' | 'flush';

/** The language line that runs `vm VERB` on containers of another host, in their namespace. */
export function remoteBulkLine(verb: BulkVerb, host: string, namespace: string, ids: readonly ContainerId[]): string {
  return `namespace ${namespace} mesh send ${host} vm ${verb} ${ids.join(',')}`;
}

/** Containers per call in a bulk action: progress stays visible and one call never carries 10 000 names. */
const BULK_CHUNK = 50;

export interface BulkProgress {
  verb: BulkVerb;
  done: number;
  total: number;
  errors: VmResult[];
  running: boolean;
}

/** The engine's container table, kept current from containers.changed/removed events (no polling). */
export const useContainersStore = defineStore('containers', () => {
  // A shallowRef Map plus triggerRef: 1000+ rows updating every second must not be deep-reactive.
  const byId = shallowRef(new Map<ContainerId, ContainerInfo>());
  const loaded = ref(false);
  const bulk = ref<BulkProgress | undefined>();
  let offs: (() => void)[] = [];

  const list = computed(() => [...byId.value.values()]);

  function upsert(infos: ContainerInfo[]): void {
    for (const c of infos) byId.value.set(c.id, c);
    triggerRef(byId);
  }

  function remove(ids: ContainerId[]): void {
    for (const id of ids) byId.value.delete(id);
    triggerRef(byId);
  }

  async function refresh(): Promise<void> {
    const all = await window.engine.call('vm.info');
    byId.value = new Map(all.map((c) => [c.id, c]));
    loaded.value = true;
  }

  async function hydrate(): Promise<void> {
    offs = [window.engine.on('containers.changed', upsert), window.engine.on('containers.removed', remove)];
    await refresh().catch((e) => useNotices().error(e, 'vm info'));
  }

  function dehydrate(): void {
    for (const off of offs) off();
    offs = [];
    byId.value = new Map();
    loaded.value = false;
  }

  /** Run a verb on the given containers in chunks; per-container errors (VmResult.error) are collected. */
  async function runBulk(verb: BulkVerb, ids: ContainerId[]): Promise<BulkProgress> {
    // Ids, not names: ids are global, names only unique within a namespace.
    const names = ids.map(String);
    const p: BulkProgress = { verb, done: 0, total: names.length, errors: [], running: true };
    bulk.value = p;
    for (let i = 0; i < names.length; i += BULK_CHUNK) {
      const target = names.slice(i, i + BULK_CHUNK).join(',');
      try {
        const results = await window.engine.call(`vm.${verb}`, target);
        p.errors.push(...results.filter((r) => r.error));
      } catch (e) {
        p.errors.push({ id: -1, name: target, error: e instanceof Error ? e.message : String(e) });
      }
      p.done = Math.min(names.length, i + BULK_CHUNK);
      bulk.value = { ...p };
    }
    p.running = false;
    bulk.value = { ...p };
    if (p.errors.length) {
      const first = p.errors
        .slice(0, 3)
        .map((r) => `${r.name}: ${r.error}`)
        .join('; ');
      useNotices().show(`vm ${verb}: ${p.errors.length} failed — ${first}${p.errors.length > 3 ? ' …' : ''}`);
    }
    return p;
  }

  /**
   * Runs a verb on containers of the cluster's other hosts: their daemons own them, so the verb goes
   * there by `mesh send HOST`, one line per host and namespace, with the containers' ids on that host.
   * Returns the errors, each naming its host.
   */
  async function runRemoteBulk(verb: BulkVerb, rows: readonly { host: string; id: ContainerId; namespace: string }[]): Promise<string[]> {
    const groups = new Map<string, { host: string; namespace: string; ids: ContainerId[] }>();
    for (const r of rows) {
      const key = `${r.host}\u0000${r.namespace}`;
      const g = groups.get(key) ?? { host: r.host, namespace: r.namespace, ids: [] };
      g.ids.push(r.id);
      groups.set(key, g);
    }
    const errors: string[] = [];
    for (const g of groups.values()) {
      for (let i = 0; i < g.ids.length; i += BULK_CHUNK) {
        const line = remoteBulkLine(verb, g.host, g.namespace, g.ids.slice(i, i + BULK_CHUNK));
        try {
          const r = await window.engine.call('cli.exec', line);
          errors.push(...r.errors.map((e) => (e.startsWith(`${g.host}:`) ? e : `${g.host}: ${e}`)));
        } catch (e) {
          errors.push(`${g.host}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    if (errors.length) useNotices().show(`vm ${verb}: ${errors.length} failed — ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? ' …' : ''}`);
    return errors;
  }

  function get(id: ContainerId): ContainerInfo | undefined {
    return byId.value.get(id);
  }

  return { byId, list, loaded, bulk, upsert, remove, refresh, hydrate, dehydrate, runBulk, runRemoteBulk, get };
});
