// The engine's preinit checks (engine/config/paths.ts) on a fake host: what is accepted, and that each
// refusal names the path and why. The shim repeats them on the real file (shim/tests/unit/test_preinit.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../../engine/config/defaults.js';
import { checkPreinit, resolveConfigPaths, resolveHostPath, writablePlaces } from '../../../../engine/config/paths.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';

function host(): FakeHost {
  const h = new FakeHost(
    new Map([
      ['/srv/fs/preinit', '#!/bin/sh\n'],
      ['/srv/fs/etc/x', ''],
    ]),
  );
  h.meta.set('/srv/fs/preinit', { mode: 0o755 });
  return h;
}

test('a root-owned, non-writable executable in root-owned directories is accepted', async () => {
  await checkPreinit(host(), '/srv/fs/preinit', []);
  const h = host();
  h.meta.set('/srv', { mode: 0o1777 }); // sticky, like /tmp
  await checkPreinit(h, '/srv/fs/preinit', []);
});

test('each refusal names the path and the reason', async () => {
  const cases: [string, (h: FakeHost) => void, string, RegExp][] = [
    ['missing', () => undefined, '/srv/fs/nope', /^preinit `\/srv\/fs\/nope` does not exist \(no `\/srv\/fs\/nope`\)$/],
    [
      'world-writable',
      (h) => h.meta.set('/srv/fs/preinit', { mode: 0o777 }),
      '/srv/fs/preinit',
      /^preinit `\/srv\/fs\/preinit` is writable by group or others \(mode 0777\)$/,
    ],
    ['not root', (h) => h.meta.set('/srv/fs/preinit', { uid: 1000, mode: 0o755 }), '/srv/fs/preinit', /is owned by uid 1000, not root$/],
    ['not executable', (h) => h.meta.set('/srv/fs/preinit', { mode: 0o644 }), '/srv/fs/preinit', /is not executable \(mode 0644\)$/],
    ['a directory', () => undefined, '/srv/fs', /is not a regular file$/],
    ['symlink', (h) => void h.links.set('/srv/fs/link', 'preinit'), '/srv/fs/link', /has a symlink in its path: `\/srv\/fs\/link` \(give the real path\)$/],
    ['symlink dir', (h) => void h.links.set('/srv/l', 'fs'), '/srv/l/preinit', /has a symlink in its path: `\/srv\/l`/],
    ['user dir', (h) => h.meta.set('/srv', { uid: 1000, mode: 0o755 }), '/srv/fs/preinit', /is in directory `\/srv`, owned by uid 1000, not root$/],
    [
      'group-writable dir',
      (h) => h.meta.set('/srv/fs', { mode: 0o775 }),
      '/srv/fs/preinit',
      /is in directory `\/srv\/fs`, writable by group or others \(mode 0775\)$/,
    ],
    ['relative', () => undefined, 'preinit', /is not an absolute host path$/],
    ['dotdot', () => undefined, '/srv/../srv/fs/preinit', /must not contain `\.\.`$/],
    ['file as dir', () => undefined, '/srv/fs/etc/x/y', /has a non-directory in its path: `\/srv\/fs\/etc\/x`$/],
  ];
  for (const [name, setup, path, want] of cases) {
    const h = host();
    setup(h);
    await assert.rejects(checkPreinit(h, path, []), (e: Error & { code?: string }) => e.code === 'E_CONFIG' && want.test(e.message), name);
  }
});

test('a preinit where a container can write is refused', async () => {
  const config = { ...defaultConfig(), filesystem: '/srv/fs', snapshot: false, volumes: { '/data': '/srv/fs/etc' } };
  const places = writablePlaces(config);
  assert.deepEqual(places.map((p) => p.path).sort(), ['/srv/fs', '/srv/fs/etc']);
  await assert.rejects(checkPreinit(host(), '/srv/fs/preinit', places), /is inside `\/srv\/fs`, which a container can write$/);
  // snapshot true: the filesystem is the overlay's read-only lower layer (minimega's minirouterfs/preinit).
  await checkPreinit(host(), '/srv/fs/preinit', writablePlaces({ ...config, snapshot: true, volumes: {} }));
});

test("relative host paths resolve under the files directory, as minimega's checkPath", () => {
  assert.equal(resolveHostPath('fs', '/run/nanomega/files'), '/run/nanomega/files/fs');
  assert.equal(resolveHostPath('a/../b', '/f'), '/f/b');
  assert.equal(resolveHostPath('/abs', '/f'), '/abs');
  assert.equal(resolveHostPath('', '/f'), '');
  const c = resolveConfigPaths({ ...defaultConfig(), filesystem: 'fs', preinit: 'fs/preinit', volumes: { '/d': 'data', '/e': '/abs' } }, '/f');
  assert.deepEqual([c.filesystem, c.preinit, c.volumes], ['/f/fs', '/f/fs/preinit', { '/d': '/f/data', '/e': '/abs' }]);
});
