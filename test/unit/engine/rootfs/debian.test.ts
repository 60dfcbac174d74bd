import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { buildDebianRoot } from '../../../../engine/rootfs/debian.js';
import { INIT, publicKeyLines } from '../../../../engine/rootfs/debian-image.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF3 lab@host\n';

/** A host where debootstrap "works": it creates the few files the builder then edits. */
function host(): FakeHost {
  const h = new FakeHost(
    new Map([
      ['/proc/self/mountinfo', '22 1 0:21 / /proc rw - proc proc rw\n'],
      [
        '/etc/apt/sources.list.d/debian.sources',
        'Types: deb\nURIs: http://mirror.lab/debian\nSuites: bookworm\nComponents: main\nSigned-By: /keys/debian.gpg\n',
      ],
      ['/keys/debian.gpg', 'k'],
      ['/home/me/key.pub', KEY],
    ]),
  );
  h.runResult = (argv) => {
    const i = argv.indexOf('debootstrap');
    if (i >= 0) {
      const target = argv[argv.length - 2]!;
      for (const [p, d] of [
        ['etc/dhcp/dhclient.conf', '# debian\n'],
        ['etc/ssh/ssh_host_rsa_key', 'x'],
        ['etc/ssh/sshd_config', 'x'],
        ['var/cache/apt/archives/x.deb', 'x'],
      ]) {
        h.files.set(`${target}/${p}`, d!);
        h.dirs.add(`${target}/${p.split('/').slice(0, -1).join('/')}`);
      }
      h.dirs.add(target);
    }
    if (argv[0] === 'mv') {
      const [src, dst] = argv.slice(-2) as [string, string];
      for (const [p, d] of [...h.files]) if (p.startsWith(`${src}/`)) h.files.set(dst + p.slice(src.length), d);
      for (const d of [...h.dirs]) if (d === src || d.startsWith(`${src}/`)) h.dirs.add(dst + d.slice(src.length));
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  return h;
}

test('debootstrap runs minbase from the mirror and keyring apt uses, with DHCP, sshd and extra packages', async () => {
  const h = host();
  const b = await buildDebianRoot(h, '/srv/fs', { sshKey: '/home/me/key.pub', packages: ['iputils-ping'] });
  const argv = h.calls.find((c) => c.op === 'run' && c.argv.includes('debootstrap')) as { argv: readonly string[] };
  assert.deepEqual(argv.argv, [
    'debootstrap',
    '--variant=minbase',
    '--components=main',
    '--include=iproute2,isc-dhcp-client,openssh-server,iputils-ping',
    '--keyring=/keys/debian.gpg',
    'bookworm',
    `/srv/.fs.build-${process.pid}`,
    'http://mirror.lab/debian',
  ]);
  assert.equal(b.mirror, 'http://mirror.lab/debian');
  assert.equal(h.files.get('/srv/fs/init'), INIT);
  assert.equal(h.files.get('/srv/fs/root/.ssh/authorized_keys'), KEY);
  assert.match(h.files.get('/srv/fs/etc/ssh/sshd_config.d/nanomega.conf')!, /PermitRootLogin prohibit-password/);
  assert.match(h.files.get('/srv/fs/etc/dhcp/dhclient.conf')!, /^# debian\n[^]*backoff-cutoff/);
  assert.ok(!h.files.has('/srv/fs/etc/ssh/ssh_host_rsa_key'), 'no host key shared by every container');
  assert.ok(!h.files.has('/srv/fs/var/cache/apt/archives/x.deb'), 'apt cache cleaned');
  assert.ok(h.files.has('/srv/fs/etc/nanomega-rootfs'));
});

test('/init brings up lo, runs dhclient per vethN in the background, sshd with a first-boot key, a login shell', () => {
  assert.match(INIT, /ip link set lo up/);
  assert.match(INIT, /\/sys\/class\/net\/veth\*/);
  assert.match(INIT, /dhclient -nw/);
  assert.match(INIT, /ssh-keygen -q -t ed25519/);
  assert.match(INIT, /while true; do \/bin\/bash -l; done/);
});

test('an existing non-empty DIR is refused without --force, and --force replaces only a root we built', async () => {
  const h = host();
  h.files.set('/srv/data/important.txt', 'x');
  h.dirs.add('/srv/data');
  await assert.rejects(buildDebianRoot(h, '/srv/data'), /\/srv\/data is not empty \(--force/);
  await assert.rejects(buildDebianRoot(h, '/srv/data', { force: true }), /not a root filesystem nanomega built/);
  await assert.rejects(buildDebianRoot(h, '/', { force: true }), /refusing to build a root filesystem in \//);
  assert.ok(!h.calls.some((c) => c.op === 'run' && c.argv.includes('debootstrap')));
  h.files.set('/srv/old/etc/nanomega-rootfs', 'debian');
  h.files.set('/srv/old/stale', 'x');
  h.dirs.add('/srv/old');
  h.dirs.add('/srv/old/etc');
  await buildDebianRoot(h, '/srv/old', { force: true });
  assert.ok(!h.files.has('/srv/old/stale') && h.files.has('/srv/old/init'));
});

test('bad suites, packages and key files are refused before anything runs', async () => {
  const h = host();
  h.files.set('/home/me/id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n');
  await assert.rejects(buildDebianRoot(h, '/srv/a', { suite: 'Bookworm;rm' }), /invalid suite `Bookworm;rm`/);
  await assert.rejects(buildDebianRoot(h, '/srv/a', { packages: ['ok', '--evil'] }), /invalid package name `--evil`/);
  await assert.rejects(buildDebianRoot(h, '/srv/a', { sshKey: '/home/me/id_ed25519' }), /\/home\/me\/id_ed25519 is not an OpenSSH public key file/);
  await assert.rejects(buildDebianRoot(h, '/srv/a', { sshKey: '/nope.pub' }), /ssh key file \/nope.pub does not exist/);
  assert.ok(!h.calls.some((c) => c.op === 'run'));
  assert.equal(publicKeyLines('# c\nssh-rsa AAAAB3Nza x\n\n')?.length, 1);
});

test('a failed debootstrap leaves nothing at DIR and reports the exit and its last lines', async () => {
  const h = host();
  h.runResult = (argv) =>
    argv.includes('debootstrap')
      ? { code: 1, stdout: '', stderr: 'I: Retrieving InRelease\nE: Failed getting release file http://mirror.lab/debian/dists/bookworm/Release\n' }
      : { code: 0, stdout: '', stderr: '' };
  await assert.rejects(buildDebianRoot(h, '/srv/fs'), /debootstrap bookworm http:\/\/mirror.lab\/debian: exit 1: .*Failed getting release file/);
  assert.ok(!(await h.exists('/srv/fs')));
});
