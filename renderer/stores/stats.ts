import { defineStore } from 'pinia';
import { shallowRef, triggerRef } from 'vue';
import type { ContainerId, StatsSample } from '../../engine/api/types';
import { useNotices } from './notices';

/** Points kept per container for the detail graphs (~10 min at 1 Hz). */
export const MAX_SAMPLES = 600;
/** Points the table's sparkline shows (1 min at 1 Hz). */
export const SPARK_POINTS = 60;

export interface Latest {
  sample: StatsSample;
  /** Cores in use over the last interval (1.0 = one core busy). */
  cpu: number;
}

/** Per-container samples from stats.series then stats.sample events; bounded rings. */
export const useStatsStore = defineStore('stats', () => {
  const series = shallowRef(new Map<ContainerId, StatsSample[]>());
  const latest = shallowRef(new Map<ContainerId, Latest>());
  let off: (() => void) | undefined;

  function record(samples: StatsSample[]): void {
    for (const s of samples) {
      const ring = series.value.get(s.id) ?? [];
      const prev = ring[ring.length - 1];
      if (prev && s.t <= prev.t) continue;
      if (prev && s.oomKills > prev.oomKills) {
        useNotices().show(`container ${s.id}: out of memory — the kernel killed a process (${s.oomKills} OOM kill${s.oomKills > 1 ? 's' : ''})`, 'error');
      }
      ring.push(s);
      if (ring.length > MAX_SAMPLES) ring.splice(0, ring.length - MAX_SAMPLES);
      series.value.set(s.id, ring);
      const cpu = prev ? Math.max(0, (s.cpuUsec - prev.cpuUsec) / 1000 / Math.max(1, s.t - prev.t)) : 0;
      latest.value.set(s.id, { sample: s, cpu });
    }
    triggerRef(series);
    triggerRef(latest);
  }

  /** Fill one container's history (detail view) from stats.series. */
  async function load(id: ContainerId): Promise<void> {
    try {
      const past = await window.engine.call('stats.series', id);
      const ring = series.value.get(id) ?? [];
      const first = ring[0]?.t ?? Infinity;
      series.value.set(id, [...past.filter((s) => s.t < first), ...ring].slice(-MAX_SAMPLES));
      triggerRef(series);
    } catch (e) {
      useNotices().error(e, 'stats.series');
    }
  }

  function forget(ids: ContainerId[]): void {
    for (const id of ids) {
      series.value.delete(id);
      latest.value.delete(id);
    }
    triggerRef(series);
    triggerRef(latest);
  }

  async function hydrate(): Promise<void> {
    off = window.engine.on('stats.sample', record);
    await window.engine.call('stats.watch', null).catch((e) => useNotices().error(e, 'stats.watch'));
  }

  function dehydrate(): void {
    off?.();
    series.value = new Map();
    latest.value = new Map();
  }

  return { series, latest, record, load, forget, hydrate, dehydrate };
});
