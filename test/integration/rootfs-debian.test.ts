// `nanomega rootfs build debian`: the image the lab tests share (built by the real debootstrap from
// apt's mirror, see helpers/debian.ts) is minimega's containerfs; the program refuses to build over
// a directory that holds something else.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { BIN } from '../helpers/daemon.js';
import { debianImage, type DebianImage } from '../helpers/debian.js';
import { requires } from '../helpers/requires.js';
import { leakChecked } from '../helpers/leaks.js';

const skip = requires('root', 'debootstrap', 'ssh');

describe(
  'rootfs build debian',
  { skip },
  leakChecked(() => {
    let image: DebianImage;
    before(async () => {
      image = await debianImage();
    });

    test("the image is minimega's containerfs: /init, dhclient, sshd by key only, no shared host keys", () => {
      const at = (p: string) => join(image.dir, p);
      assert.equal(statSync(at('init')).mode & 0o777, 0o755);
      const init = readFileSync(at('init'), 'utf8');
      for (const re of [/ip link set lo up/, /dhclient -nw/, /ssh-keygen -q -t ed25519/, /\/usr\/sbin\/sshd/, /\/bin\/bash -l/]) assert.match(init, re);
      for (const bin of ['usr/sbin/dhclient', 'usr/sbin/sshd', 'usr/bin/ssh-keygen', 'usr/sbin/ip', 'bin/bash']) assert.ok(existsSync(at(bin)), bin);
      assert.deepEqual(
        readdirSync(at('etc/ssh')).filter((n) => n.startsWith('ssh_host_')),
        [],
        'every container makes its own host key',
      );
      assert.match(readFileSync(at('etc/ssh/sshd_config.d/nanomega.conf'), 'utf8'), /PermitRootLogin prohibit-password\nPasswordAuthentication no/);
      assert.equal(readFileSync(at('root/.ssh/authorized_keys'), 'utf8'), readFileSync(`${image.key}.pub`, 'utf8'));
      assert.equal(statSync(at('root/.ssh/authorized_keys')).mode & 0o777, 0o600);
      assert.match(readFileSync(at('etc/dhcp/dhclient.conf'), 'utf8'), /backoff-cutoff/);
      assert.match(readFileSync(at('etc/debian_version'), 'utf8'), /^12\./, 'bookworm');
      assert.deepEqual(
        readdirSync(at('var/cache/apt/archives')).filter((n) => n.endsWith('.deb')),
        [],
        'apt cache cleaned',
      );
    });

    test('a non-empty DIR is refused without --force, and with --force unless nanomega built it; nothing is touched', () => {
      const dir = mkdtempSync('/tmp/nm-rootfs-');
      try {
        writeFileSync(join(dir, 'keep.txt'), 'mine');
        const plain = spawnSync(process.execPath, [BIN, 'rootfs', 'build', 'debian', dir], { encoding: 'utf8' });
        assert.notEqual(plain.status, 0);
        assert.match(plain.stderr, new RegExp(`${dir} is not empty \\(--force replaces a root filesystem nanomega built there\\)`));
        const forced = spawnSync(process.execPath, [BIN, 'rootfs', 'build', 'debian', dir, '--force'], { encoding: 'utf8' });
        assert.notEqual(forced.status, 0);
        assert.match(forced.stderr, /not a root filesystem nanomega built/);
        const bogus = spawnSync(process.execPath, [BIN, 'rootfs', 'build', 'debian', dir, '--bogus'], { encoding: 'utf8' });
        assert.notEqual(bogus.status, 0);
        assert.match(bogus.stderr, /--bogus/);
        assert.deepEqual(readdirSync(dir), ['keep.txt']);
        assert.deepEqual(
          readdirSync('/tmp').filter((n) => n.startsWith(`.${dir.slice(5)}.build-`)),
          [],
          'no build directory left',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }),
);
