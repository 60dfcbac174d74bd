import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDebianArgs } from '../../../cli/commands/rootfs.js';

test('rootfs build debian options, in any order', () => {
  assert.deepEqual(parseDebianArgs(['/srv/fs']), { dir: '/srv/fs', opts: {} });
  assert.deepEqual(parseDebianArgs(['--sshd', '/srv/fs', '--suite', 'trixie', '--ssh-key', 'k.pub', '--packages', 'a,b', '--force']), {
    dir: '/srv/fs',
    opts: { sshd: true, suite: 'trixie', sshKey: 'k.pub', packages: ['a', 'b'], force: true },
  });
  assert.throws(() => parseDebianArgs(['/srv/fs', '--bogus']), /unknown option `--bogus`/);
  assert.throws(() => parseDebianArgs(['/srv/fs', '--suite']), /--suite needs a value/);
  assert.throws(() => parseDebianArgs(['/a', '/b']), /unexpected `\/b`/);
  assert.throws(() => parseDebianArgs([]), /usage: nanomega rootfs build debian DIR/);
});
