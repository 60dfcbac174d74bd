import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ContainerId, DnsmasqInfo, HostTapInfo, NicCounters, TapMirrorInfo } from '../../engine/api/types';
import type { Point } from '../lib/topology-model';
import { useNotices } from './notices';

/** Host taps and dnsmasq servers have no change events: re-read while the view is open. */
const HOST_POLL_MS = 3_000;
/** Segment traffic counters of the selected segment. */
const COUNTER_POLL_MS = 1_000;
/** Saving a layout waits for the user to stop dragging. */
const SAVE_DELAY_MS = 800;

export type Selection = { kind: 'container'; id: ContainerId } | { kind: 'segment'; id: string } | { kind: 'tap' | 'dnsmasq'; id: string };

/** Bytes per second of a segment, from the counters of its members' NICs (container's point of view). */
export interface SegmentRate {
  rxBps: number;
  txBps: number;
  rxBytes: number;
  txBytes: number;
}

/** What the topology view shows beyond the containers: taps, dnsmasq, the saved layout, selection, counters. */
export const useTopologyStore = defineStore('topology', () => {
  /** Layouts are kept per namespace; '' is the default one (namespaces arrive later). */
  const namespace = ref('');
  const taps = shallowRef<HostTapInfo[]>([]);
  const dnsmasq = shallowRef<DnsmasqInfo[]>([]);
  const mirrors = shallowRef<TapMirrorInfo[]>([]);
  const selection = ref<Selection | undefined>();
  /** Per NIC (`id:index`): last counters and rates. */
  const rates = shallowRef(new Map<string, { t: number; c: NicCounters; rx: number; tx: number }>());
  let hostTimer: ReturnType<typeof setInterval> | undefined;
  let counterTimer: ReturnType<typeof setInterval> | undefined;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let pending: Record<string, Point> | undefined;

  async function refreshHost(): Promise<void> {
    // Daemons without tap/dnsmasq (or a failing list) simply show none.
    const [t, d, m] = await Promise.all([
      window.engine.call('tap.list').catch(() => [] as HostTapInfo[]),
      window.engine.call('dnsmasq.list').catch(() => [] as DnsmasqInfo[]),
      window.engine.call('tap.mirrors').catch(() => [] as TapMirrorInfo[]),
    ]);
    if (JSON.stringify(t) !== JSON.stringify(taps.value)) taps.value = t;
    if (JSON.stringify(d) !== JSON.stringify(dnsmasq.value)) dnsmasq.value = d;
    if (JSON.stringify(m) !== JSON.stringify(mirrors.value)) mirrors.value = m;
  }

  /** The view is shown: poll what has no events. Returns the stop function. */
  function activate(): () => void {
    void refreshHost();
    hostTimer ??= setInterval(() => void refreshHost(), HOST_POLL_MS);
    return () => {
      clearInterval(hostTimer);
      hostTimer = undefined;
      watchCounters([]);
      void flushSave();
    };
  }

  async function loadLayout(): Promise<Record<string, Point>> {
    try {
      return (await window.engine.call('topology.layout.get', namespace.value))?.positions ?? {};
    } catch (e) {
      useNotices().error(e, 'topology layout');
      return {};
    }
  }

  /** Remember positions (debounced): the user dragged, or a layout finished. */
  function saveLayout(positions: Record<string, Point>): void {
    pending = positions;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void flushSave(), SAVE_DELAY_MS);
  }

  async function flushSave(): Promise<void> {
    clearTimeout(saveTimer);
    if (!pending) return;
    const positions = pending;
    pending = undefined;
    await window.engine
      .call('topology.layout.set', namespace.value, { positions, savedAt: Date.now() })
      .catch((e) => useNotices().error(e, 'save topology layout'));
  }

  /** Poll the byte counters of these containers (a selected segment's members); [] stops. */
  function watchCounters(ids: ContainerId[]): void {
    clearInterval(counterTimer);
    counterTimer = undefined;
    rates.value = new Map();
    if (!ids.length) return;
    const poll = async () => {
      const list = await window.engine.call('net.counters', ids).catch(() => [] as NicCounters[]);
      const t = performance.now();
      const next = new Map(rates.value);
      for (const c of list) {
        const key = `${c.id}:${c.index}`;
        const prev = next.get(key);
        const dt = prev ? (t - prev.t) / 1000 : 0;
        next.set(key, {
          t,
          c,
          rx: prev && dt > 0 ? Math.max(0, (c.rxBytes - prev.c.rxBytes) / dt) : 0,
          tx: prev && dt > 0 ? Math.max(0, (c.txBytes - prev.c.txBytes) / dt) : 0,
        });
      }
      rates.value = next;
    };
    void poll();
    counterTimer = setInterval(() => void poll(), COUNTER_POLL_MS);
  }

  /** Sum over the NICs `nics` (`id:index` keys) of a segment. */
  function segmentRate(nics: readonly string[]): SegmentRate {
    const r: SegmentRate = { rxBps: 0, txBps: 0, rxBytes: 0, txBytes: 0 };
    for (const k of nics) {
      const x = rates.value.get(k);
      if (!x) continue;
      r.rxBps += x.rx;
      r.txBps += x.tx;
      r.rxBytes += x.c.rxBytes;
      r.txBytes += x.c.txBytes;
    }
    return r;
  }

  const hasSelection = computed(() => selection.value !== undefined);

  return {
    namespace,
    taps,
    dnsmasq,
    mirrors,
    selection,
    rates,
    hasSelection,
    activate,
    refreshHost,
    loadLayout,
    saveLayout,
    flushSave,
    watchCounters,
    segmentRate,
  };
});
