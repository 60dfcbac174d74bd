import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { BIN } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

describe('nanomega nuke', { skip }, () => {
  const suite = useContainerSuite();
  let pre: HostSnapshot;

  before(async () => {
    pre = snapshot();
    await suite.d.ok('vm config net NUKE');
  });

  test('with no daemon running, kills every container and removes every engine object', async () => {
    await suite.d.ok('vm launch container k[0-3]');
    await suite.d.ok('vm start k[0-1]');
    await suite.d.ok('vm stop k1');
    const pids = (await suite.d.client.call('vm.info')).map((c) => c.pid);
    await suite.d.crash();
    assert.ok(
      pids.every((p) => existsSync(`/proc/${p}`)),
      'containers outlive the daemon',
    );
    const r = spawnSync(process.execPath, [BIN, '--base', suite.d.base, 'nuke'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(
      pids.every((p) => !existsSync(`/proc/${p}`)),
      'every init is gone',
    );
    await assertNoLeaks(pre);
    await suite.d.restart();
    assert.deepEqual(await suite.d.client.call('vm.info'), []);
  });

  test('through a running daemon, leaves it running with an empty table', async () => {
    await suite.d.ok('vm launch container m[0-1]');
    const r = spawnSync(process.execPath, [BIN, '--base', suite.d.base, 'nuke'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(await suite.d.client.call('vm.info'), []);
    // The daemon still runs (with the launcher it started): everything else is gone.
    await assertNoLeaks(pre, { running: [suite.d.proc.pid!] });
  });
});
