// `vm top`'s arithmetic: /proc parsing and the figures of two snapshots, as minimega computes them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topRow } from '../../../../engine/language/commands/top.js';
import { parseStat, parseStatm, topFigures } from '../../../../engine/stats/top.js';

test('stat: utime+stime and guest_time, with a command that holds spaces and parentheses', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field numbers from 3 (state) on
  fields[0] = 'S';
  const text = `4242 (my (odd) cmd) ${fields.join(' ')}\n`;
  assert.deepEqual(parseStat(text), { ticks: 14 + 15, guestTicks: 43 });
  assert.deepEqual(parseStatm('2000 300 100 1 0 50 0\n'), { sizePages: 2000, residentPages: 300, sharePages: 100 });
});

test('two snapshots: cpu from the ticks of processes in both, memory and time from the second, NIC rates over the window', () => {
  const p = (ticks: number, size: number, res: number, shr: number) => ({ ticks, guestTicks: 0, sizePages: size, residentPages: res, sharePages: shr });
  const a = {
    at: 0,
    procs: new Map([
      [1, p(100, 1000, 200, 50)],
      [2, p(40, 500, 100, 20)],
    ]),
    rx: 0,
    tx: 0,
  };
  const b = {
    at: 2000,
    procs: new Map([
      [1, p(150, 1024, 256, 64)],
      [3, p(10, 256, 256, 0)],
    ]),
    rx: 4 << 20,
    tx: 1 << 20,
  };
  const r = topFigures('web', 7, a, b);
  assert.equal(r.cpu, 50 / 100 / 2, 'only pid 1 is in both: 50 ticks in 2 s');
  assert.equal(r.timeMs, 1000, '160 ticks = 1.6 s, truncated to whole seconds as minimega does');
  assert.equal(r.procs, 2);
  assert.equal(r.virtBytes, (1024 + 256) * 4096);
  assert.deepEqual(topRow(r), ['web', '5', '2', '0', '25.00', '0.00', '1s', '2', '2.00', '0.50']);
});
