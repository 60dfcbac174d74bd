import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ContainerId } from '../../engine/api/types';
import { useContainersStore } from './containers';
import { useUiStore } from './ui';

/**
 * "Type into all selected": keystrokes typed into one console tab go to the consoles of every selected
 * container too (console.send, the engine's own connection to each console).
 */
export const useConsoleBroadcast = defineStore('console-broadcast', () => {
  const on = ref(false);
  const ui = useUiStore();
  const containers = useContainersStore();
  const targets = computed(() => [...ui.selected].filter((id) => containers.get(id)?.state === 'RUNNING'));

  function relay(from: ContainerId, data: string): void {
    if (!on.value) return;
    const names = targets.value.filter((id) => id !== from).map((id) => containers.get(id)!.name);
    if (names.length) void window.engine.call('console.send', names.join(','), data).catch(() => undefined); // Best-effort: a console that closed meanwhile just misses keys.
  }

  return { on, targets, relay };
});
