import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface Notice {
  id: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** How long a notice stays on screen; errors stay until dismissed. */
const NOTICE_MS = 6_000;
/** Most notices kept; older ones drop off. */
const MAX_NOTICES = 6;

/** One place errors go: the engine's message, as written (style.md §6). */
export const useNotices = defineStore('notices', () => {
  const notices = ref<Notice[]>([]);
  let seq = 0;

  function show(message: string, level: Notice['level'] = 'error'): void {
    const n = { id: ++seq, level, message };
    notices.value = [...notices.value, n].slice(-MAX_NOTICES);
    if (level !== 'error') setTimeout(() => dismiss(n.id), NOTICE_MS);
  }

  function error(e: unknown, context?: string): void {
    const msg = e instanceof Error ? e.message : String(e);
    show(context ? `${context}: ${msg}` : msg, 'error');
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  return { notices, show, error, dismiss };
});
