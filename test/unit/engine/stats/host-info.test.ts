// minimega's `host` figures: Go's duration text, its memory arithmetic, the load triple, and the
// bandwidth of bridge ports over the kept samples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration } from '../../../../engine/language/format.js';
import { bandwidth, loadTriple, minimegaMemory, uptimeMs } from '../../../../engine/stats/host-info.js';

test("uptime: /proc/uptime's first field, printed as Go's time.Duration.String()", () => {
  const s = (t: string) => goDuration(uptimeMs(`${t} 9287.55\n`));
  assert.equal(s('2641.71'), '44m1.71s');
  assert.equal(s('259385.12'), '72h3m5.12s');
  assert.equal(s('60.00'), '1m0s');
  assert.equal(s('3600'), '1h0m0s');
  assert.equal(s('0.50'), '500ms');
  assert.throws(() => uptimeMs('garbage'), /malformed uptime/);
});

test('memory: used is total − (free + buffers + cached), in MB, as minimega counts it; load is the first three fields', () => {
  const meminfo =
    'MemTotal:       24576000 kB\nMemFree:        10240000 kB\nMemAvailable:   20000000 kB\nBuffers:          102400 kB\nCached:          4096000 kB\n';
  assert.deepEqual(minimegaMemory(meminfo), { totalMB: 24000, usedMB: Math.trunc((24576000 - 10240000 - 102400 - 4096000) / 1024) });
  assert.equal(loadTriple('0.31 0.28 0.24 1/309 21658\n'), '0.31 0.28 0.24');
  assert.throws(() => loadTriple('0.31 0.28'), /could not read loadavg/);
});

test('rx/tx: bytes of each port over the window it was seen in, MB/s, summed; a reused name is another port', () => {
  const MB = 1 << 20;
  const ports = (entries: [string, number, number][]) => new Map(entries.map(([k, rx, tx]) => [k, { rx, tx }]));
  const samples = [
    { t: 0, ports: ports([['mega_tap0#10', 0, 0]]) },
    {
      t: 5000,
      ports: ports([
        ['mega_tap0#10', 5 * MB, 10 * MB],
        ['mega_tap1#11', 0, 0],
      ]),
    },
    {
      t: 10000,
      ports: ports([
        ['mega_tap0#10', 10 * MB, 20 * MB],
        ['mega_tap1#11', 5 * MB, 0],
      ]),
    },
  ];
  const { rx, tx } = bandwidth(samples);
  assert.equal(rx, 1 + 1); // tap0: 10 MB in 10 s; tap1: 5 MB in 5 s
  assert.equal(tx, 2);
  assert.deepEqual(bandwidth(samples.slice(0, 1)), { rx: 0, tx: 0 }, 'one sample: no rate yet (minimega: 0)');
  assert.deepEqual(bandwidth([]), { rx: 0, tx: 0 });
});
