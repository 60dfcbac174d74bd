// The one view of a cluster in the renderer: the cluster store (hosts, their history, the other
// hosts' containers), the containers table's host column and filter, and the hosts view.
import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { ClusterHost } from '../../../engine/api/types';
import ContainerTable from '../../../renderer/components/ContainerTable.vue';
import HostsView from '../../../renderer/components/HostsView.vue';
import { useClusterStore } from '../../../renderer/stores/cluster';
import { useContainersStore } from '../../../renderer/stores/containers';
import { useUiStore } from '../../../renderer/stores/ui';
import { fakeEngine, info } from './fake-engine';

let pinia: ReturnType<typeof createTestingPinia>;
beforeEach(() => {
  pinia = createTestingPinia({ createSpy: vi.fn, stubActions: false });
});

function host(name: string, over: Partial<ClusterHost> = {}): ClusterHost {
  return {
    name,
    api: `${name}:9102`,
    address: name,
    mtu: 1500,
    cpus: 4,
    memoryMB: 8192,
    memoryUsedMB: 1024,
    load1: 0.5,
    containers: 1,
    cpuCommit: 1,
    memCommit: 128,
    netCommit: 0,
    startedAt: 0,
    updatedAt: 0,
    up: true,
    leader: false,
    ...over,
  };
}

function cluster(hosts: ClusterHost[]) {
  return fakeEngine({
    'vm.info': () => [info(0, 'local0', 'RUNNING')],
    'cluster.hosts': () => hosts,
    'cluster.containers': () =>
      hosts.filter((h) => !h.self).map((h) => ({ host: h.name, up: h.up, vms: [info(0, `${h.name}-a`, h.up ? 'RUNNING' : ('UNKNOWN' as never))] })),
  });
}

describe('cluster store', () => {
  test('a daemon alone: no hosts, nothing remote, cluster.containers never asked', async () => {
    const { call } = fakeEngine({ 'cluster.hosts': () => [] });
    const s = useClusterStore();
    await s.poll();
    expect(s.inCluster).toBe(false);
    expect(s.remote).toEqual([]);
    expect(call.mock.calls.map(([n]) => n)).toEqual(['cluster.hosts']);
  });

  test('in a cluster: this daemon’s host, the others’ containers with their host, a history point per poll', async () => {
    cluster([host('h1', { self: true, leader: true }), host('h2'), host('h3', { up: false })]);
    const s = useClusterStore();
    await s.poll();
    await s.poll();
    expect(s.self).toBe('h1');
    expect(s.remote.map((c) => `${c.host}/${c.name}/${c.state}`)).toEqual(['h2/h2-a/RUNNING', 'h3/h3-a/UNKNOWN']);
    expect(s.history.get('h2')!.length).toBe(2);
    expect(s.history.has('h3')).toBe(false);
  });
});

describe('ContainerTable in a cluster', () => {
  async function table(props: Record<string, unknown> = {}) {
    cluster([host('h1', { self: true }), host('h2'), host('h3', { up: false })]);
    await useContainersStore().hydrate();
    await useClusterStore().poll();
    const w = mount(ContainerTable, { props: { filter: '', ...props }, global: { plugins: [pinia] } });
    await flushPromises();
    return w;
  }
  const rowsOf = (w: Awaited<ReturnType<typeof table>>) => w.findAll('.viewport .row').map((r) => `${r.attributes('data-host')}/${r.attributes('data-name')}`);

  test('every host’s rows with a host column, ids that repeat across hosts kept apart', async () => {
    const w = await table();
    expect(w.find('[data-testid=host-column]').exists()).toBe(true);
    expect(rowsOf(w).sort()).toEqual(['h1/local0', 'h2/h2-a', 'h3/h3-a']);
    expect(w.findAll('.viewport .c-host').map((c) => c.text())).toContain('h2');
  });

  test('the host filter and the text filter (a host name matches)', async () => {
    expect(rowsOf(await table({ host: 'h2' }))).toEqual(['h2/h2-a']);
    expect(rowsOf(await table({ filter: 'h3' }))).toEqual(['h3/h3-a']);
  });

  test('another host’s row is selected like the others; a double click opens its console through its daemon', async () => {
    const w = await table({ host: 'h2' });
    await w.find('.viewport .c-sel').trigger('click');
    expect(useUiStore().selected.size).toBe(0);
    expect([...useUiStore().remoteSelected]).toEqual(['h2/0']);
    expect(w.find('.viewport .row').classes()).toContain('selected');
    await w.find('.viewport .c-sel').trigger('click');
    expect(useUiStore().remoteSelected.size).toBe(0);
    await w.find('.viewport .row').trigger('dblclick');
    expect(useUiStore().remoteConsole).toEqual({ host: 'h2', id: 0, name: 'h2-a' });
    expect(useUiStore().consoleTabs).toEqual([]);
  });

  test('bulk actions reach other hosts by mesh send, one line per host and namespace; their errors name the host', async () => {
    const { call } = cluster([host('h1', { self: true }), host('h2')]);
    const lines: string[] = [];
    const exec = vi.fn(async (line: string) => (lines.push(line), { output: '', errors: line.includes('lab') ? ['VM state error: b'] : [] }));
    call.mockImplementation(async (name: string, ...args: unknown[]) => (name === 'cli.exec' ? exec(args[0] as string) : []));
    const errors = await useContainersStore().runRemoteBulk('kill', [
      { host: 'h2', id: 3, namespace: 'minimega' },
      { host: 'h2', id: 4, namespace: 'minimega' },
      { host: 'h3', id: 3, namespace: 'lab' },
    ]);
    expect(lines).toEqual(['namespace minimega mesh send h2 vm kill 3,4', 'namespace lab mesh send h3 vm kill 3']);
    expect(errors).toEqual(['h3: VM state error: b']);
  });
});

describe('HostsView', () => {
  test('a card per host: up or down, the scheduler, this daemon', async () => {
    cluster([host('h1', { self: true }), host('h2', { leader: true }), host('h3', { up: false })]);
    await useClusterStore().poll();
    const w = mount(HostsView, { global: { plugins: [pinia], stubs: { TimeGraph: true } } });
    await flushPromises();
    const cards = w.findAll('[data-testid=host-card]');
    expect(cards.map((c) => `${c.attributes('data-host')}:${c.attributes('data-up')}`)).toEqual(['h1:true', 'h2:true', 'h3:false']);
    expect(cards[1]!.text()).toContain('scheduler');
    expect(cards[0]!.text()).toContain('this daemon');
    expect(cards[2]!.text()).toContain('Its daemon is gone');
  });
});
