// The built-in filesystem is never writable by a container and never written through (review H2),
// and the base directory is root's alone (review H2, L7).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { socketPath } from '../../cli/engine-client.js';
import { groupId } from '../../engine/host/groups.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { leaked, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim');

describe('the built-in filesystem and the base directory', { skip }, () => {
  let d: TestDaemon;
  let target = '';
  let pre: HostSnapshot;

  before(async () => {
    pre = snapshot();
    target = mkdtempSync(join(tmpdir(), 'nm-h2-target-'));
    d = await startDaemon();
  });

  after(async () => {
    await d?.dispose();
    if (target) rmSync(target, { recursive: true, force: true });
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  test('the base is root-only, reachable for search by the nanomega group alone; the socket is 0660', async () => {
    const st = statSync(d.base);
    const gid = await groupId('nanomega');
    assert.equal(st.uid, 0);
    assert.equal(st.mode & 0o7777, gid === undefined ? 0o700 : 0o710, `mode ${(st.mode & 0o7777).toString(8)}`);
    if (gid !== undefined) assert.equal(st.gid, gid);
    assert.equal(statSync(socketPath(d.base)).mode & 0o777, 0o660);
  });

  test("snapshot false without a filesystem is refused: the built-in root is never a container's to write", async () => {
    await d.ok('clear vm config');
    await d.ok('vm config snapshot false');
    const before = readdirSync(d.base).sort();
    const r = await d.exec('vm launch container h2-nosnap');
    assert.match(r.errors.join(), /snapshot false needs a filesystem of its own: the built-in filesystem is shared by every default container/);
    assert.deepEqual(await d.client.call('vm.info'), []);
    assert.deepEqual(readdirSync(d.base).sort(), before, 'no instance directory left');
    await d.ok('clear vm config');
  });

  test('a tampered built-in filesystem is regenerated beside it, never written through its symlinks', async () => {
    await d.ok('clear vm config');
    await d.ok('vm launch container h2-first');
    await d.ok('vm kill h2-first');
    await d.ok('vm flush');
    const hostfs = join(d.base, 'hostfs');
    assert.equal(readFileSync(join(hostfs, '.nanomega-hostfs'), 'utf8'), '2');
    await d.crash();

    // What a container with write access could have left (before snapshot false was refused):
    // etc -> a host directory, init -> a host file, setuid shell, a stale stamp.
    mkdirSync(join(target, 'etc'));
    writeFileSync(join(target, 'etc', 'passwd'), 'host passwd\n');
    writeFileSync(join(target, 'victim'), 'host file\n');
    chmodSync(join(target, 'victim'), 0o600);
    rmSync(join(hostfs, 'etc'), { recursive: true });
    symlinkSync(join(target, 'etc'), join(hostfs, 'etc'));
    rmSync(join(hostfs, 'init'));
    symlinkSync(join(target, 'victim'), join(hostfs, 'init'));
    rmSync(join(hostfs, '.nanomega-hostfs'));
    symlinkSync(join(target, 'victim'), join(hostfs, '.nanomega-hostfs'));

    await d.restart();
    await d.ok('vm launch container h2-second');
    await d.ok('vm start h2-second');
    const c = (await d.client.call('vm.info')).find((x) => x.name === 'h2-second')!;
    assert.equal(c.state, 'RUNNING', c.tags.error);

    assert.equal(readFileSync(join(target, 'etc', 'passwd'), 'utf8'), 'host passwd\n', 'host file behind etc untouched');
    assert.equal(readFileSync(join(target, 'victim'), 'utf8'), 'host file\n', 'host file behind init untouched');
    assert.equal(statSync(join(target, 'victim')).mode & 0o777, 0o600, 'and its mode');
    assert.ok(lstatSync(join(hostfs, 'etc')).isDirectory(), 'a fresh etc');
    assert.ok(lstatSync(join(hostfs, 'init')).isFile());
    assert.ok(lstatSync(join(hostfs, '.nanomega-hostfs')).isFile());
    assert.match(readFileSync(join(hostfs, 'etc', 'passwd'), 'utf8'), /^root:x:0:0/);
    await d.ok('vm kill h2-second');
    await d.ok('vm flush');
    assert.ok(existsSync(hostfs));
  });
});
