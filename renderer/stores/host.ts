import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Events } from '../../engine/api/contract';
import type { HostStats } from '../../engine/api/types';
import { useNotices } from './notices';

/** Host samples kept (~10 min at 1 Hz). */
const MAX_HOST_SAMPLES = 600;
/** Engine log lines kept. */
const MAX_LOG_LINES = 500;

export type LogLine = Events['engine.log'];

export const useHostStore = defineStore('host', () => {
  const samples = shallowRef<HostStats[]>([]);
  const log = ref<LogLine[]>([]);
  let offs: (() => void)[] = [];

  function record(s: HostStats): void {
    samples.value = [...samples.value, s].slice(-MAX_HOST_SAMPLES);
  }

  function addLog(l: LogLine): void {
    log.value = [...log.value, l].slice(-MAX_LOG_LINES);
    if (l.level === 'error') useNotices().show(l.message, 'error');
  }

  async function hydrate(): Promise<void> {
    offs = [window.engine.on('stats.host', record), window.engine.on('engine.log', addLog)];
    try {
      samples.value = (await window.engine.call('stats.host')).slice(-MAX_HOST_SAMPLES);
    } catch (e) {
      // The host view says so; no popup at every start for a daemon without stats.
      addLog({ t: Date.now(), level: 'warn', message: `stats.host: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  function dehydrate(): void {
    for (const off of offs) off();
    offs = [];
  }

  return { samples, log, record, addLog, hydrate, dehydrate };
});
