import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCluster, type TestCluster } from '../helpers/cluster.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'etcd');

describe('three hosts on etcd', { skip }, () => {
  let c: TestCluster;
  let pre: HostSnapshot;

  before(async () => {
    pre = snapshot();
    c = await startCluster({ n: 3 });
  });

  after(async () => {
    await c?.dispose();
    await assertNoLeaks(pre);
  });

  test('every daemon registers and sees the three hosts up, one of them the scheduler', async () => {
    for (let i = 0; i < 3; i++) {
      const hosts = await until('three hosts up', async () => {
        const list = await c.hosts[i]!.client!.call('cluster.hosts');
        return list.length === 3 && list.every((h) => h.up) && list.some((h) => h.leader) ? list : false;
      });
      assert.deepEqual(
        hosts.map((h) => h.name),
        c.hosts.map((h) => h.name),
      );
      assert.ok(
        hosts.every((h) => h.cpus > 0 && h.memoryMB > 0),
        'capacity reported',
      );
    }
  });
});
