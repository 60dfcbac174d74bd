import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CaptureInfo, CaptureSpec } from '../../engine/api/types';
import { saveCapture } from '../lib/download';
import { useNotices } from './notices';

/** How often packet counts of running captures are refreshed while someone looks at them. */
const POLL_MS = 1_000;

/** Packet captures: the engine's list (captures.changed), started and stopped from the topology view. */
export const useCapturesStore = defineStore('captures', () => {
  const list = ref<CaptureInfo[]>([]);
  let off: (() => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let watchers = 0;

  const running = computed(() => list.value.filter((c) => c.state === 'running'));

  async function refresh(): Promise<void> {
    list.value = await window.engine.call('capture.list');
  }

  async function hydrate(): Promise<void> {
    off ??= window.engine.on('captures.changed', (l) => (list.value = l));
    await refresh().catch((e) => useNotices().error(e, 'capture'));
  }

  /** Counts move while captures run; poll only while a view shows them. */
  function watchCounts(): () => void {
    watchers++;
    timer ??= setInterval(() => {
      if (running.value.length) void refresh().catch(() => undefined); // Best-effort: the next tick retries.
    }, POLL_MS);
    return () => {
      if (--watchers === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
  }

  async function start(spec: CaptureSpec, namespace?: string): Promise<CaptureInfo | undefined> {
    try {
      const c = await window.engine.call('capture.start', spec, namespace);
      await refresh();
      return c;
    } catch (e) {
      useNotices().error(e, spec.kind === 'vm' ? `capture pcap vm ${spec.vm} ${spec.index}` : `capture pcap bridge ${spec.bridge}`);
      return undefined;
    }
  }

  async function stop(id: number): Promise<void> {
    try {
      await window.engine.call('capture.stop', [id]);
      await refresh();
    } catch (e) {
      useNotices().error(e, `capture pcap delete ${id}`);
    }
  }

  async function download(c: CaptureInfo): Promise<void> {
    try {
      await saveCapture(c);
    } catch (e) {
      useNotices().error(e, `download ${c.path}`);
    }
  }

  /** The running capture of one NIC, if any. */
  function ofNic(vmId: number, index: number): CaptureInfo | undefined {
    return running.value.find((c) => c.vm?.id === vmId && c.vm.index === index);
  }

  function dehydrate(): void {
    off?.();
    off = undefined;
    list.value = [];
  }

  return { list, running, refresh, hydrate, watchCounts, start, stop, download, ofNic, dehydrate };
});
