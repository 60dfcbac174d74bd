// The cluster scheduler's placement (minimega's policy) as a pure function: least-loaded, schedule,
// coschedule, colocate, and the errors a placement that cannot hold gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { place, type HostLoad, type QueuedGroup } from '../../../../engine/cluster/scheduler.js';

function host(name: string, over: Partial<HostLoad> = {}): HostLoad {
  return { name, cpus: 2, memoryMB: 2048, vms: 0, cpuCommit: 0, memCommit: 0, netCommit: 0, ...over };
}

function group(names: string[], placement?: Partial<QueuedGroup['placement']>, vcpus = 1): QueuedGroup {
  return {
    names,
    config: { vcpus, memory: 128, net: [] },
    ...(placement ? { placement: { schedule: '', colocate: '', coschedule: -1, ...placement } } : {}),
  };
}

const range = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i}`);
const counts = (a: Record<string, string[]>) => Object.fromEntries(Object.entries(a).map(([h, v]) => [h, v.length]));

test('least-loaded: equal hosts share evenly; a host with more cpus or less load takes more', () => {
  assert.deepEqual(counts(place([group(range('vm-', 30))], [host('a'), host('b'), host('c')], 'cpucommit')), { a: 10, b: 10, c: 10 });
  assert.deepEqual(counts(place([group(range('vm-', 12))], [host('a', { cpus: 4 }), host('b'), host('c')], 'cpucommit')), { a: 6, b: 3, c: 3 });
  assert.deepEqual(counts(place([group(range('vm-', 6))], [host('a', { vms: 4, cpuCommit: 4 }), host('b'), host('c')], 'cpucommit')), { a: 0, b: 3, c: 3 });
  // memcommit measures memory per MB
  assert.deepEqual(counts(place([group(range('vm-', 4))], [host('a', { memoryMB: 4096 }), host('b', { memoryMB: 1024 })], 'memcommit')), { a: 3, b: 1 });
});

test('vm config schedule pins a VM to its host; an unknown host is refused', () => {
  const a = place([group(['p1', 'p2'], { schedule: 'c' }), group(range('vm-', 4))], [host('a'), host('b'), host('c')], 'cpucommit');
  assert.deepEqual(a.c!.slice(0, 2), ['p1', 'p2']);
  assert.deepEqual(counts(a), { a: 2, b: 2, c: 2 }, 'the others balance around the pinned ones');
  assert.throws(() => place([group(['x'], { schedule: 'nosuch' })], [host('a'), host('b')], 'cpucommit'), /VM scheduled on unknown host: `nosuch`/);
});

test('coschedule 0 keeps a VM alone on its host; a limit that cannot hold is an error', () => {
  const a = place([group(range('vm-', 4)), group(['solo'], { coschedule: 0 })], [host('a'), host('b'), host('c')], 'cpucommit');
  const solo = Object.entries(a).find(([, v]) => v.includes('solo'))![0];
  assert.deepEqual(a[solo], ['solo']);
  assert.throws(
    () => place([group(['x', 'y', 'z'], { coschedule: 0 })], [host('a'), host('b')], 'cpucommit'),
    /too many VMs scheduled on .* for coschedule requirement of 1/,
  );
});

test('colocate puts a VM with another, queued or running; a VM that exists nowhere is an error', () => {
  const a = place([group(range('vm-', 6)), group(['f1'], { colocate: 'vm-4' })], [host('a'), host('b'), host('c')], 'cpucommit');
  const at = (n: string) => Object.entries(a).find(([, v]) => v.includes(n))![0];
  assert.equal(at('f1'), at('vm-4'));
  const b = place([group(['f2'], { colocate: 'old' })], [host('a'), host('b')], 'cpucommit', new Map([['old', 'b']]));
  assert.deepEqual(b, { a: [], b: ['f2'] });
  assert.throws(() => place([group(['f3'], { colocate: 'ghost' })], [host('a'), host('b')], 'cpucommit'), /nonexistent colocate VMs: \[ghost\]/);
});

test('no hosts is an error; one host takes everything', () => {
  assert.throws(() => place([group(['x'])], [], 'cpucommit'), /no hosts/);
  assert.deepEqual(place([group(['x', 'y'])], [host('a')], 'cpucommit'), { a: ['x', 'y'] });
});
