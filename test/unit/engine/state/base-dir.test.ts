// Review H2/L7: the base directory is root's alone; the daemon's group may only reach into it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { secureBase } from '../../../../engine/state/base-dir.js';

function host(): FakeHost {
  const h = new FakeHost();
  h.dirs.add('/run');
  h.dirs.add('/tmp');
  h.meta.set('/tmp', { mode: 0o1777 });
  return h;
}

test('a missing base is made root-only, then opened to the group for search only', async () => {
  const h = host();
  await secureBase(h, '/run/nanomega', 1234);
  assert.deepEqual(await h.lstat('/run/nanomega').then((s) => s && [s.kind, s.uid, s.gid, s.mode.toString(8)]), ['dir', 0, 1234, '710']);
  const h2 = host();
  await secureBase(h2, '/run/nanomega', undefined);
  assert.equal((await h2.lstat('/run/nanomega'))!.mode, 0o700);
});

test('an existing base with a loose mode is tightened; one under sticky /tmp is fine', async () => {
  const h = host();
  h.dirs.add('/run/nanomega');
  h.meta.set('/run/nanomega', { mode: 0o755 });
  await secureBase(h, '/run/nanomega', undefined);
  assert.equal((await h.lstat('/run/nanomega'))!.mode, 0o700);
  await secureBase(h, '/tmp/nm-x', undefined);
  assert.equal((await h.lstat('/tmp/nm-x'))!.mode, 0o700);
});

test('a base owned by a user, a symlink, or a file is refused by name', async () => {
  const h = host();
  h.dirs.add('/tmp/mine');
  h.meta.set('/tmp/mine', { uid: 1000, mode: 0o700 });
  await assert.rejects(secureBase(h, '/tmp/mine', undefined), { code: 'E_CONFIG', message: 'base `/tmp/mine`: is owned by uid 1000, not root' });
  h.links.set('/tmp/link', '/run');
  await assert.rejects(secureBase(h, '/tmp/link', undefined), { message: 'base `/tmp/link`: is a symlink' });
  h.files.set('/tmp/file', '');
  await assert.rejects(secureBase(h, '/tmp/file', undefined), { message: 'base `/tmp/file`: is not a directory' });
  await assert.rejects(secureBase(h, 'relative/base', undefined), { message: 'base `relative/base`: must be an absolute path' });
});

test('a parent some user owns, or could write without the sticky bit, is refused', async () => {
  const h = host();
  h.dirs.add('/home/u');
  h.meta.set('/home/u', { uid: 1000, mode: 0o755 });
  await assert.rejects(secureBase(h, '/home/u/nm', undefined), { message: 'base `/home/u/nm`: `/home/u` is owned by uid 1000, not root' });
  h.dirs.add('/srv/shared');
  h.meta.set('/srv/shared', { mode: 0o777 });
  await assert.rejects(secureBase(h, '/srv/shared/nm', undefined), {
    message: 'base `/srv/shared/nm`: `/srv/shared` is writable by group or others (mode 777)',
  });
  assert.equal(await h.lstat('/srv/shared/nm'), undefined, 'nothing made under a refused parent');
});
