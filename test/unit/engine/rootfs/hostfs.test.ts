// The built-in filesystem is generated beside the old one and renamed into place, never written in
// place (review H2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { ensureHostFs } from '../../../../engine/rootfs/hostfs.js';

const ROOT = '/run/nm/hostfs';

function host(): FakeHost {
  const h = new FakeHost();
  h.dirs.add('/run/nm');
  h.dirs.add('/usr');
  h.links.set('/bin', 'usr/bin');
  return h;
}

const writes = (h: FakeHost) => h.calls.filter((c) => c.op === 'writeFileAtomic' || c.op === 'mkdir').map((c) => ('path' in c ? c.path : ''));

test('first use: generated in a fresh sibling, renamed to the root; /usr bound, /bin recreated as the link', async () => {
  const h = host();
  const fs = await ensureHostFs(h, ROOT);
  assert.deepEqual(fs.binds, [{ src: '/usr', dst: '/usr', readonly: true }]);
  assert.equal(h.files.get(`${ROOT}/.nanomega-hostfs`), '2');
  assert.match(h.files.get(`${ROOT}/etc/passwd`) ?? '', /^root:x:0:0/);
  assert.equal(h.links.get(`${ROOT}/bin`), 'usr/bin');
  const renames = h.calls.filter((c) => c.op === 'rename');
  assert.equal(renames.length, 1);
  assert.ok(
    writes(h).every((p) => !p.startsWith(`${ROOT}/`) && p !== ROOT),
    `nothing written under the root's own path: ${writes(h).join(' ')}`,
  );
});

test('a current root is used as it is: nothing written, nothing renamed', async () => {
  const h = host();
  await ensureHostFs(h, ROOT);
  h.calls.length = 0;
  await ensureHostFs(h, ROOT);
  assert.deepEqual(
    h.calls.filter((c) => c.op !== 'readFile' && c.op !== 'readdir'),
    [],
  );
});

test('a stale or tampered root is moved aside whole, the new one renamed in; old ones go when unused', async () => {
  for (const tamper of ['stamp', 'symlink-stamp', 'not-root', 'root-is-link'] as const) {
    const h = host();
    await ensureHostFs(h, ROOT);
    if (tamper === 'stamp') h.files.set(`${ROOT}/.nanomega-hostfs`, '1');
    if (tamper === 'symlink-stamp') (h.files.delete(`${ROOT}/.nanomega-hostfs`), h.links.set(`${ROOT}/.nanomega-hostfs`, '/etc/shadow'));
    if (tamper === 'not-root') h.meta.set(ROOT, { uid: 1000 });
    if (tamper === 'root-is-link') (h.removeTree(ROOT), h.links.set(ROOT, '/etc'));
    h.calls.length = 0;
    await ensureHostFs(h, ROOT, () => true);
    assert.ok(
      writes(h).every((p) => !p.startsWith(`${ROOT}/`)),
      `${tamper}: wrote under the old root`,
    );
    assert.equal(h.files.get(`${ROOT}/.nanomega-hostfs`), '2', tamper);
    const olds = (await h.readdir('/run/nm')).filter((n) => n.startsWith('.hostfs.old-'));
    assert.equal(olds.length, 1, `${tamper}: the old tree kept while in use`);
    await ensureHostFs(h, ROOT, () => false);
    assert.deepEqual(
      (await h.readdir('/run/nm')).filter((n) => n.startsWith('.hostfs.')),
      [],
      `${tamper}: removed once unused`,
    );
  }
});
