import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Events } from '../../../../engine/api/contract.js';
import { ContainerCgroups } from '../../../../engine/cgroup/cgroup.js';
import type { CgroupLayout } from '../../../../engine/cgroup/layout.js';
import type { Container, EngineContext } from '../../../../engine/context.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { FIRST_READS_PER_TICK, StatsSampler } from '../../../../engine/stats/sampler.js';

const V1: CgroupLayout = {
  v2Controllers: new Set(),
  v1: { memory: '/cg/memory', cpu: '/cg/cpu', cpuacct: '/cg/cpuacct', pids: '/cg/pids', freezer: '/cg/freezer' },
};
const V2: CgroupLayout = { unified: '/cg2', v2Controllers: new Set(['memory', 'cpu', 'pids']), v1: {} };

function setup(layout: CgroupLayout, files: Record<string, string>) {
  const host = new FakeHost(
    new Map(
      Object.entries({
        '/proc/meminfo': 'MemTotal: 1000 kB\nMemAvailable: 400 kB\n',
        '/proc/loadavg': '0.1 0 0 1/1 1\n',
        '/proc/stat': 'cpu  1 0 1 8 0 0 0 0\ncpu0 1 0 1 8 0 0 0 0\n',
        ...files,
      }),
    ),
  );
  const events: { name: string; payload: unknown }[] = [];
  const containers = new Map<number, Container>();
  const ctx = { host, layout, containers, emit: (name: string, payload: unknown) => events.push({ name, payload }) } as unknown as EngineContext;
  const add = (id: number, state = 'RUNNING') => {
    const cgroups = new ContainerCgroups(host, { layout }, 'k');
    const rec = { id, name: `c${id}`, state, initPid: 4242, config: { memory: 32 } };
    containers.set(id, { rec, cgroups, queue: Promise.resolve() } as unknown as Container);
  };
  return { host, ctx, events, containers, add };
}

/** One container's v1 files (every container of these tests uses the key `k`). */
const V1_FILES = {
  '/cg/memory/nanomega/k/memory.usage_in_bytes': '1048576\n',
  '/cg/memory/nanomega/k/memory.limit_in_bytes': '33554432\n',
  '/cg/memory/nanomega/k/memory.oom_control': 'oom_kill 0\n',
  '/cg/cpuacct/nanomega/k/cpuacct.usage': '5000000\n',
  '/cg/pids/nanomega/k/pids.current': '3\n',
};

/** The ids of the last stats.sample event, in order. */
function lastSampled(events: { name: string; payload: unknown }[]): number[] {
  return (events.filter((e) => e.name === 'stats.sample').pop()!.payload as { id: number }[]).map((x) => x.id).sort((a, b) => a - b);
}

test('reads the v1 files into one batched stats.sample per tick', async () => {
  const { ctx, events, add, containers } = setup(V1, {
    '/cg/memory/nanomega/k/memory.usage_in_bytes': '1048576\n',
    '/cg/memory/nanomega/k/memory.limit_in_bytes': '33554432\n',
    '/cg/memory/nanomega/k/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
    '/cg/cpuacct/nanomega/k/cpuacct.usage': '5000000\n',
    '/cg/pids/nanomega/k/pids.current': '3\n',
  });
  add(1);
  add(2, 'QUIT');
  const s = new StatsSampler(ctx);
  await s.tick(1000);
  const samples = events.filter((e) => e.name === 'stats.sample').map((e) => e.payload);
  assert.deepEqual(samples, [[{ id: 1, t: 1000, memoryBytes: 1048576, memoryLimitBytes: 33554432, oomKills: 2, cpuUsec: 5000, pids: 3 }]]);
  assert.deepEqual(s.series(1).length, 1);
  assert.deepEqual(s.series(2), [], 'QUIT containers are not sampled');
  const host = events.find((e) => e.name === 'stats.host')!.payload as Events['stats.host'];
  assert.equal(host.memoryUsedBytes, 600 * 1024);
  assert.deepEqual(host.states, { BUILDING: 0, RUNNING: 1, PAUSED: 0, QUIT: 1, ERROR: 0 });
  containers.delete(1);
  await s.tick(2000);
  assert.deepEqual(s.series(1), [], "a flushed container's series is dropped");
});

test('reads the v2 files; "max" is no limit (0)', async () => {
  const { ctx, add } = setup(V2, {
    '/cg2/nanomega/k/memory.current': '2097152\n',
    '/cg2/nanomega/k/memory.max': 'max\n',
    '/cg2/nanomega/k/memory.events': 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n',
    '/cg2/nanomega/k/cpu.stat': 'usage_usec 777\nuser_usec 700\nsystem_usec 77\n',
    '/cg2/nanomega/k/pids.current': '1\n',
  });
  add(5);
  const s = new StatsSampler(ctx);
  await s.tick(1);
  assert.deepEqual(s.latest(5), { id: 5, t: 1, memoryBytes: 2097152, memoryLimitBytes: 0, oomKills: 1, cpuUsec: 777, pids: 1 });
});

test('a new OOM kill in a container whose init lives is an engine.log warning, once', async () => {
  const oom = '/cg2/nanomega/k/memory.events';
  const { ctx, events, add, host } = setup(V2, { [oom]: 'oom_kill 0\n' });
  host.kill = () => true; // init alive
  add(3);
  const s = new StatsSampler(ctx);
  await s.tick(1);
  host.files.set(oom, 'oom_kill 1\n');
  await s.tick(2);
  await s.tick(3);
  const logs = events.filter((e) => e.name === 'engine.log').map((e) => e.payload as Events['engine.log']);
  assert.equal(logs.length, 1);
  assert.equal(logs[0]!.level, 'warn');
  assert.match(logs[0]!.message, /^c3: the OOM killer killed 1 process/);
});

test('reads at most FIRST_READS_PER_TICK new containers a tick, running ones first; the known ones every tick', async () => {
  const { ctx, events, add } = setup(V1, V1_FILES);
  const n = FIRST_READS_PER_TICK * 2 + 10;
  for (let id = 1; id <= n; id++) add(id, id <= FIRST_READS_PER_TICK + 5 ? 'BUILDING' : 'RUNNING');
  const s = new StatsSampler(ctx);
  const ids = () => lastSampled(events);
  await s.tick(1000);
  const first = ids();
  assert.equal(first.length, FIRST_READS_PER_TICK);
  assert.ok(
    first.every((id) => id > FIRST_READS_PER_TICK + 5),
    'the running containers are read before the frozen ones',
  );
  await s.tick(2000);
  const second = ids();
  assert.equal(second.length, 2 * FIRST_READS_PER_TICK, 'the known ones again, and as many new ones');
  await s.tick(3000);
  assert.equal(ids().length, n);
  for (let id = 1; id <= n; id++) assert.ok(s.series(id).length >= 1, `container ${id} has figures after three ticks`);
});

test('while a launch is under way, no BUILDING container is read for the first time; running ones are', async () => {
  const { ctx, events, add, containers } = setup(V1, V1_FILES);
  add(1, 'BUILDING');
  add(2, 'RUNNING');
  add(3, 'BUILDING');
  (containers.get(3)!.rec as { phase?: string }).phase = 'launching';
  const s = new StatsSampler(ctx);
  const ids = () => lastSampled(events);
  await s.tick(1000);
  assert.deepEqual(ids(), [2], 'the BUILDING one waits while 3 is being launched');
  (containers.get(3)!.rec as { phase?: string }).phase = 'ready';
  await s.tick(2000);
  assert.deepEqual(ids(), [1, 2, 3], 'read once the wave is built');
});
