import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { ContainerId } from '../../engine/api/types';

export type Theme = 'dark' | 'light';
export type View = 'containers' | 'host' | 'hosts' | 'commands' | 'topology' | 'consoles' | 'cc';

/** A console of a container on another host of the cluster, opened through its daemon. */
export interface RemoteConsoleRef {
  host: string;
  id: ContainerId;
  name: string;
}

const THEME_KEY = 'nanomega.theme';

/** View, theme, selection and open console tabs of the main window. */
export const useUiStore = defineStore('ui', () => {
  const stored = globalThis.localStorage?.getItem(THEME_KEY);
  const prefersLight = globalThis.matchMedia?.('(prefers-color-scheme: light)').matches;
  const theme = ref<Theme>(stored === 'light' || stored === 'dark' ? stored : prefersLight ? 'light' : 'dark');
  const view = ref<View>('containers');
  const detail = ref<ContainerId | undefined>();
  const launchOpen = ref(false);
  const helpOpen = ref(false);
  const selected = ref(new Set<ContainerId>());
  /** Selected containers of the cluster's other hosts, as `host/id` (ids are per daemon). */
  const remoteSelected = ref(new Set<string>());
  /** Console tabs in the main window; the active one is shown in the bottom pane. */
  const consoleTabs = ref<ContainerId[]>([]);
  const activeConsole = ref<ContainerId | undefined>();
  /** The open console of a container on another host (one at a time, over the table). */
  const remoteConsole = ref<RemoteConsoleRef | undefined>();

  watch(
    theme,
    (t) => {
      globalThis.localStorage?.setItem(THEME_KEY, t);
      globalThis.document?.documentElement.setAttribute('data-theme', t);
    },
    { immediate: true },
  );

  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
  }

  function openConsoleTab(id: ContainerId): void {
    if (!consoleTabs.value.includes(id)) consoleTabs.value = [...consoleTabs.value, id];
    activeConsole.value = id;
  }

  function closeConsoleTab(id: ContainerId): void {
    const i = consoleTabs.value.indexOf(id);
    consoleTabs.value = consoleTabs.value.filter((x) => x !== id);
    if (activeConsole.value === id) activeConsole.value = consoleTabs.value[Math.max(0, i - 1)];
  }

  function setSelected(ids: Iterable<ContainerId>, remote: Iterable<string> = []): void {
    selected.value = new Set(ids);
    remoteSelected.value = new Set(remote);
  }

  return {
    theme,
    view,
    detail,
    launchOpen,
    helpOpen,
    selected,
    remoteSelected,
    consoleTabs,
    activeConsole,
    remoteConsole,
    toggleTheme,
    openConsoleTab,
    closeConsoleTab,
    setSelected,
  };
});
