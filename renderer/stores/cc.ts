import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { CcClientInfo, CcCommandInfo, CcCommandSpec, CcFilter, CcProgress, CcResponse } from '../../engine/api/types';
import { useNotices } from './notices';

/** minimega's default namespace: the one the GUI drives. */
export const CC_NAMESPACE = 'minimega';

/** One client's state on one command in the panel: from cc.progress events, or checked in before we looked. */
export interface ClientProgress {
  uuid: string;
  name: string;
  state: CcProgress['state'];
  code?: number;
  error?: string;
}

/** Command and control: commands, clients, per-container progress (cc.progress events, no polling). */
export const useCcStore = defineStore('cc', () => {
  const commands = ref<CcCommandInfo[]>([]);
  const clients = ref<CcClientInfo[]>([]);
  const selected = ref<number | undefined>();
  // cmd id → uuid → progress; shallow: a wave of 1000 responses must not be deep-reactive.
  const progress = shallowRef(new Map<number, Map<string, ClientProgress>>());
  let offs: (() => void)[] = [];
  let refreshing: Promise<void> | undefined;

  const current = computed(() => commands.value.find((c) => c.id === selected.value));

  function onProgress(p: CcProgress): void {
    if (p.ns !== CC_NAMESPACE) return;
    let m = progress.value.get(p.id);
    if (!m) progress.value.set(p.id, (m = new Map()));
    m.set(p.uuid, { uuid: p.uuid, name: p.name, state: p.state, code: p.code, error: p.error });
    triggerRef(progress);
  }

  async function refresh(): Promise<void> {
    refreshing ??= (async () => {
      try {
        [commands.value, clients.value] = await Promise.all([window.engine.call('cc.commands', CC_NAMESPACE), window.engine.call('cc.clients', CC_NAMESPACE)]);
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  }

  async function hydrate(): Promise<void> {
    offs = [
      window.engine.on('cc.progress', onProgress),
      window.engine.on('cc.changed', (e) => {
        if (e.ns === CC_NAMESPACE) void refresh().catch(() => undefined);
      }),
      window.engine.on('containers.changed', () => void refresh().catch(() => undefined)),
    ];
    await refresh().catch((e) => useNotices().error(e, 'cc'));
  }

  function dehydrate(): void {
    for (const off of offs) off();
    offs = [];
  }

  /** Rows for a command: everyone we saw work on it, and the clients that checked in before we looked. */
  function rowsOf(cmd: CcCommandInfo): ClientProgress[] {
    const m = progress.value.get(cmd.id) ?? new Map<string, ClientProgress>();
    const rows = new Map(m);
    for (const uuid of cmd.checkedIn) {
      if (!rows.has(uuid)) rows.set(uuid, { uuid, name: clients.value.find((c) => c.uuid === uuid)?.name ?? uuid.slice(0, 8), state: 'done' });
    }
    return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  }

  /** Post a command with its own filter (the namespace's filter is put back afterwards). */
  async function post(spec: CcCommandSpec, filter: CcFilter | null): Promise<number> {
    const { filter: before } = await window.engine.call('cc.state', CC_NAMESPACE);
    await window.engine.call('cc.filter', CC_NAMESPACE, filter);
    try {
      const id = await window.engine.call('cc.command', CC_NAMESPACE, spec);
      selected.value = id;
      await refresh();
      return id;
    } finally {
      await window.engine.call('cc.filter', CC_NAMESPACE, before);
    }
  }

  function rerun(cmd: CcCommandInfo): Promise<number> {
    return post(cmd.spec, cmd.filter);
  }

  async function remove(id: number): Promise<void> {
    await window.engine.call('cc.delete', CC_NAMESPACE, 'command', String(id));
    if (selected.value === id) selected.value = undefined;
    await refresh();
  }

  function response(id: number, uuid: string): Promise<CcResponse> {
    return window.engine.call('cc.response', CC_NAMESPACE, id, uuid);
  }

  return { commands, clients, selected, current, progress, hydrate, dehydrate, refresh, rowsOf, post, rerun, remove, response };
});
