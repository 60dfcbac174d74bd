// The soak's CI version (bench/soak.ts runs 1000 × 20): 100 containers through 3 cycles of
// launch/start/stop/start/kill/flush with NICs, consoles and stats; every phase gives every container
// its state, nothing is left after any cycle, the daemon never dies. No timing asserts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runSoak } from '../../bench/soak.js';
import { requires } from '../helpers/requires.js';
import { leakChecked } from '../helpers/leaks.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

describe(
  'soak, short',
  { skip, timeout: 600_000 },
  leakChecked(() => {
    test('100 containers × 3 cycles with NICs, consoles and stats: no leak, no wrong state, no death', async () => {
      const res = await runSoak({
        containers: 100,
        cycles: 3,
        consoles: 0.1,
        dir: '/dev/shm',
        onCycle: (r) => console.log(`# cycle ${r.cycle}: rss ${r.daemonRssKiB} KiB, fds ${r.daemonFds}, stats ${r.statsSamples}, console ${r.consoleBytes} B`),
      });
      assert.equal(res.cycles.length, 3);
      for (const r of res.cycles) {
        assert.deepEqual(r.wrongStates, [], `cycle ${r.cycle}: every container in the state its phase gives`);
        assert.deepEqual(r.leaked, {}, `cycle ${r.cycle}: nothing left after kill and flush`);
        assert.ok(r.consoleBytes > 0, `cycle ${r.cycle}: the console sessions got output`);
      }
      assert.ok(
        res.cycles.some((r) => r.statsSamples > 0),
        'the stats watcher got samples',
      );
      assert.ok(res.daemonAlive, 'the daemon is alive');
    });
  }),
);
