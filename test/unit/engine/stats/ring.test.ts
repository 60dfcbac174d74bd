import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERIES_CAPACITY, SeriesRing } from '../../../../engine/stats/ring.js';

const sample = (t: number) => ({ t, memoryBytes: t * 10, memoryLimitBytes: 2 ** 40, oomKills: t % 3, cpuUsec: t * 1000, pids: t % 7 });

test('keeps at least 10 minutes at 1 Hz', () => {
  assert.ok(SERIES_CAPACITY >= 600);
});

test('returns samples oldest first with every field', () => {
  const r = new SeriesRing(7, 5);
  for (let t = 1; t <= 3; t++) r.push(sample(t));
  assert.deepEqual(
    r.toArray(),
    [1, 2, 3].map((t) => ({ id: 7, ...sample(t) })),
  );
  assert.deepEqual(r.last(), { id: 7, ...sample(3) });
});

test('drops the oldest when full and bounds its length', () => {
  const r = new SeriesRing(1, 4);
  for (let t = 1; t <= 10; t++) r.push(sample(t));
  assert.equal(r.length, 4);
  assert.deepEqual(
    r.toArray().map((s) => s.t),
    [7, 8, 9, 10],
  );
  assert.deepEqual(
    r.toArray(2).map((s) => s.t),
    [9, 10],
  );
});
