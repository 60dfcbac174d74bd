import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatsWatch } from '../../../../engine/stats/watch.js';

const s = (id: number) => ({ id, t: 1, memoryBytes: 0, memoryLimitBytes: 0, oomKills: 0, cpuUsec: 0, pids: 0 });

test('a client watches every container until it says otherwise', () => {
  const w = new StatsWatch();
  assert.deepEqual(w.filter([s(1), s(2)]), [s(1), s(2)]);
});

test('only watched containers pass, and a batch with none of them is not sent', () => {
  const w = new StatsWatch();
  w.set([2]);
  assert.deepEqual(w.filter([s(1), s(2), s(3)]), [s(2)]);
  assert.equal(w.filter([s(1)]), undefined);
  w.set(null);
  assert.deepEqual(w.filter([s(1)]), [s(1)]);
});
