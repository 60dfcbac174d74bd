import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VM_STATES } from '../../../../engine/api/types.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { HostSampler, parseCpuStat, parseLoadavg, parseMeminfo } from '../../../../engine/stats/host-stats.js';

const MEMINFO = 'MemTotal:       16000000 kB\nMemFree:         2000000 kB\nMemAvailable:    6000000 kB\nBuffers:          100000 kB\n';
const STAT1 = 'cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\ncpu1 50 0 50 350 50 0 0 0 0 0\nintr 1\n';
const STAT2 = 'cpu  200 0 200 800 100 0 0 0 0 0\ncpu0 100 0 100 400 50 0 0 0 0 0\ncpu1 100 0 100 400 50 0 0 0 0 0\nintr 1\n';

test('used memory is total minus MemAvailable', () => {
  assert.deepEqual(parseMeminfo(MEMINFO), { totalBytes: 16000000 * 1024, usedBytes: 10000000 * 1024 });
});

test('load and cpu counts come from loadavg and the cpuN lines', () => {
  assert.equal(parseLoadavg('0.52 0.40 0.30 1/300 1234\n'), 0.52);
  assert.deepEqual(parseCpuStat(STAT1), { busy: 200, total: 1000, steal: 0, cpus: 2 });
});

test("a hypervisor's steal counts as busy and is reported apart", () => {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const withSteal = 'cpu  100 5 60 700 30 1 4 90 20 0\ncpu0 100 5 60 700 30 1 4 90 20 0\n';
  assert.deepEqual(parseCpuStat(withSteal), { busy: 260, total: 990, steal: 90, cpus: 1 });
});

test('cpu busy is the fraction over the interval between two reads', async () => {
  const host = new FakeHost(
    new Map([
      ['/proc/meminfo', MEMINFO],
      ['/proc/loadavg', '1.5 1 1 1/1 1\n'],
      ['/proc/stat', STAT1],
    ]),
  );
  const states = Object.fromEntries(VM_STATES.map((s) => [s, 0])) as Record<(typeof VM_STATES)[number], number>;
  const h = new HostSampler(host);
  assert.equal((await h.read(1, states)).cpuBusy, 0, 'no interval yet');
  host.files.set('/proc/stat', STAT2);
  const s = await h.read(2, states);
  assert.equal(s.cpuBusy, 200 / 300); // +200 busy of +300 total
  assert.equal(s.load1, 1.5);
  assert.equal(s.cpus, 2);
});
