import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ClusterHost, ContainerInfo, HostContainers } from '../../engine/api/types';

/** How often the hosts and the other hosts' containers are read (etcd's view changes every few seconds). */
export const CLUSTER_POLL_MS = 2_000;
/** A daemon that is not in a cluster is asked again this rarely (it joins one only when started so). */
const ALONE_POLL_MS = 15_000;
/** Samples kept per host (~10 min). */
const MAX_HOST_POINTS = 300;

export interface HostPoint {
  t: number;
  load1: number;
  memoryUsedMB: number;
  containers: number;
}

/** A container of another host of the cluster (its daemon owns it: consoles open through that daemon). */
export type RemoteContainer = ContainerInfo & { host: string };

/**
 * The cluster this daemon belongs to (`serve --cluster`), read every CLUSTER_POLL_MS: its hosts with
 * capacity and load (and their recent history, for the hosts view's graphs), and the containers of
 * the other hosts (this daemon's own come from containers.ts, by events). Alone, `hosts` stays empty.
 */
export const useClusterStore = defineStore('cluster', () => {
  const hosts = shallowRef<ClusterHost[]>([]);
  const history = shallowRef(new Map<string, HostPoint[]>());
  const remote = shallowRef<RemoteContainer[]>([]);
  const error = ref('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let busy = false;

  const inCluster = computed(() => hosts.value.length > 0);
  /** This daemon's host. */
  const self = computed(() => hosts.value.find((h) => h.self)?.name ?? '');

  function record(list: ClusterHost[], t: number): void {
    const next = new Map(history.value);
    for (const h of list) {
      if (!h.up) continue;
      const points = [...(next.get(h.name) ?? []), { t, load1: h.load1, memoryUsedMB: h.memoryUsedMB, containers: h.containers }];
      next.set(h.name, points.slice(-MAX_HOST_POINTS));
    }
    history.value = next;
  }

  function setRemote(list: HostContainers[]): void {
    remote.value = list.flatMap((h) => h.vms.map((c) => ({ ...c, host: h.host })));
  }

  async function poll(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      const list = await window.engine.call('cluster.hosts');
      hosts.value = list;
      record(list, Date.now());
      setRemote(list.length ? await window.engine.call('cluster.containers') : []);
      error.value = '';
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      busy = false;
    }
  }

  async function hydrate(): Promise<void> {
    stopped = false;
    const loop = async (): Promise<void> => {
      await poll();
      if (!stopped) timer = setTimeout(() => void loop(), inCluster.value ? CLUSTER_POLL_MS : ALONE_POLL_MS);
    };
    await loop();
  }

  function dehydrate(): void {
    stopped = true;
    clearTimeout(timer);
    hosts.value = [];
    remote.value = [];
  }

  return { hosts, history, remote, error, inCluster, self, record, setRemote, poll, hydrate, dehydrate };
});
