import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { BIN, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { leaked, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

describe('nanomega nuke', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let pre: HostSnapshot;

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    d = await startDaemon();
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm config net NUKE');
  });

  after(async () => {
    await d?.dispose().catch(() => undefined);
    await fs?.remove();
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  test('with no daemon running, kills every container and removes every engine object', async () => {
    await d.ok('vm launch container k[0-3]');
    await d.ok('vm start k[0-1]');
    await d.ok('vm stop k1');
    const pids = (await d.client.call('vm.info')).map((c) => c.pid);
    await d.crash();
    assert.ok(pids.every((p) => existsSync(`/proc/${p}`)), 'containers outlive the daemon');
    const r = spawnSync(process.execPath, [BIN, '--base', d.base, 'nuke'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(pids.every((p) => !existsSync(`/proc/${p}`)), 'every init is gone');
    assert.deepEqual(leaked(pre), {});
    await d.restart();
    assert.deepEqual(await d.client.call('vm.info'), []);
  });

  test('through a running daemon, leaves it running with an empty table', async () => {
    await d.ok('vm launch container m[0-1]');
    const r = spawnSync(process.execPath, [BIN, '--base', d.base, 'nuke'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await d.client.call('vm.info'), []);
    assert.deepEqual(leaked(pre), {});
  });
});
