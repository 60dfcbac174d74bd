import { createTestingPinia } from '@pinia/testing';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { useContainersStore } from '../../../renderer/stores/containers';
import { useNotices } from '../../../renderer/stores/notices';
import { useStatsStore } from '../../../renderer/stores/stats';
import { fakeEngine, info } from './fake-engine';

beforeEach(() => {
  createTestingPinia({ createSpy: vi.fn, stubActions: false });
});

describe('containers store', () => {
  test('hydrates from vm.info and follows containers.changed/removed events', async () => {
    const { emit } = fakeEngine({ 'vm.info': () => [info(0), info(1)] });
    const store = useContainersStore();
    await store.hydrate();
    expect(store.list.map((c) => c.name)).toEqual(['vm-0', 'vm-1']);
    emit('containers.changed', [info(1, 'vm-1', 'RUNNING'), info(2)]);
    expect(store.get(1)!.state).toBe('RUNNING');
    expect(store.list).toHaveLength(3);
    emit('containers.removed', [0]);
    expect(store.list.map((c) => c.id)).toEqual([1, 2]);
    store.dehydrate();
    emit('containers.changed', [info(9)]);
    expect(store.list).toHaveLength(0);
  });

  test('runs a bulk verb in chunks of 50 ids (names repeat across namespaces) and collects per-container errors', async () => {
    const all = Array.from({ length: 120 }, (_, i) => info(i));
    const { call } = fakeEngine({
      'vm.info': () => all,
      'vm.kill': (target) =>
        (target as string).split(',').map((id) => ({ id: Number(id), name: `vm-${id}`, ...(id === '7' ? { error: 'VM state error: vm-7' } : {}) })),
    });
    const store = useContainersStore();
    await store.hydrate();
    const p = await store.runBulk(
      'kill',
      all.map((c) => c.id),
    );
    const kills = call.mock.calls.filter(([n]) => n === 'vm.kill');
    expect(kills).toHaveLength(3);
    expect((kills[0]![1] as string).split(',')).toHaveLength(50);
    expect(p).toMatchObject({ done: 120, total: 120, running: false });
    expect(p.errors).toEqual([{ id: 7, name: 'vm-7', error: 'VM state error: vm-7' }]);
    expect(useNotices().notices[0]!.message).toMatch(/vm kill: 1 failed — vm-7: VM state error: vm-7/);
  });

  test('a failed call counts every name of its chunk as failed, with the engine message', async () => {
    fakeEngine({ 'vm.info': () => [info(0)], 'vm.start': () => Promise.reject(new Error('connection to the nanomega daemon lost')) });
    const store = useContainersStore();
    await store.hydrate();
    const p = await store.runBulk('start', [0]);
    expect(p.errors[0]!.error).toBe('connection to the nanomega daemon lost');
  });
});

describe('stats store', () => {
  const sample = (id: number, t: number, mem: number, cpuUsec: number, oomKills = 0) => ({
    id,
    t,
    memoryBytes: mem,
    memoryLimitBytes: 1 << 28,
    oomKills,
    cpuUsec,
    pids: 2,
  });

  test('keeps samples in order, computes cpu use and ignores stale ones', () => {
    fakeEngine();
    const stats = useStatsStore();
    stats.record([sample(1, 1000, 10, 0)]);
    stats.record([sample(1, 2000, 20, 500_000)]);
    stats.record([sample(1, 1500, 99, 0)]);
    expect(stats.series.get(1)!.map((s) => s.memoryBytes)).toEqual([10, 20]);
    expect(stats.latest.get(1)!.cpu).toBeCloseTo(0.5);
  });

  test('bounds each ring to 600 samples', () => {
    fakeEngine();
    const stats = useStatsStore();
    stats.record(Array.from({ length: 700 }, (_, i) => sample(3, i + 1, i, i)));
    expect(stats.series.get(3)).toHaveLength(600);
    expect(stats.series.get(3)![0]!.t).toBe(101);
  });

  test('notifies when the OOM kill count rises', () => {
    fakeEngine();
    const stats = useStatsStore();
    stats.record([sample(4, 1, 1, 1)]);
    stats.record([sample(4, 2, 1, 1, 1)]);
    expect(useNotices().notices.map((n) => n.message)).toEqual(['container 4: out of memory — the kernel killed a process (1 OOM kill)']);
  });

  test('hydrate watches every container', async () => {
    const { call } = fakeEngine({ 'stats.watch': () => undefined });
    await useStatsStore().hydrate();
    expect(call).toHaveBeenCalledWith('stats.watch', null);
  });

  test('load merges stats.series history before live samples', async () => {
    fakeEngine({ 'stats.series': () => [sample(5, 1, 1, 0), sample(5, 2, 2, 0), sample(5, 3, 3, 0)] });
    const stats = useStatsStore();
    stats.record([sample(5, 3, 30, 0), sample(5, 4, 40, 0)]);
    await stats.load(5);
    expect(stats.series.get(5)!.map((s) => s.t)).toEqual([1, 2, 3, 4]);
  });
});
