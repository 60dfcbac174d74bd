import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { NamespaceInfo } from '../../engine/api/types';
import { useNotices } from './notices';

/** The selector's value for every namespace at once. */
export const ALL_NAMESPACES = '';

/**
 * The daemon's namespaces and the one this window shows (minimega's `namespace`): the containers table
 * is filtered by it and the launch dialog launches into it. The window starts in the namespace its
 * connection's session is in (`ns.current`).
 */
export const useNamespacesStore = defineStore('namespaces', () => {
  const list = ref<NamespaceInfo[]>([]);
  /** A namespace's name, or ALL_NAMESPACES. */
  const selected = ref<string>(ALL_NAMESPACES);
  /** The namespace of this connection's language session. */
  const current = ref('minimega');
  let offs: (() => void)[] = [];

  /** Where a launch goes: the selected namespace, or the session's when every one is shown. */
  const launchInto = computed(() => selected.value || current.value);

  function set(infos: NamespaceInfo[]): void {
    list.value = [...infos].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (selected.value !== ALL_NAMESPACES && !list.value.some((n) => n.name === selected.value)) selected.value = ALL_NAMESPACES;
  }

  async function refresh(): Promise<void> {
    set(await window.engine.call('ns.list'));
  }

  async function hydrate(): Promise<void> {
    offs = [
      window.engine.on('namespaces.changed', (infos) => {
        set(infos);
        // `namespace NAME` typed in the command pane moves this connection's session.
        window.engine.call('ns.current').then(
          (c) => (current.value = c),
          () => undefined,
        );
      }),
    ];
    try {
      current.value = await window.engine.call('ns.current');
      await refresh();
      selected.value = list.value.length > 1 ? ALL_NAMESPACES : current.value;
    } catch (e) {
      useNotices().error(e, 'ns.list');
    }
  }

  function dehydrate(): void {
    for (const off of offs) off();
    offs = [];
    list.value = [];
  }

  /** Make a namespace (as `namespace NAME` would) and show it. */
  async function create(name: string): Promise<void> {
    const info = await window.engine.call('ns.create', name);
    await refresh();
    selected.value = info.name;
  }

  return { list, selected, current, launchInto, set, refresh, hydrate, dehydrate, create };
});
