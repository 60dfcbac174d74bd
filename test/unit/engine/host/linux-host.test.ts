import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { LinuxHost, writeFileAtomic } from '../../../../engine/host/linux-host.js';

const TMPFS_MAGIC = 0x01021994;

for (const root of ['/dev/shm', tmpdir()]) {
  const kind = existsSync(root) && statfsSync(root).type === TMPFS_MAGIC ? 'tmpfs' : 'disk';
  test(
    `an atomic write on ${kind} (${root}) replaces the file whole, mode 0600, and leaves no temp file`,
    { skip: existsSync(root) ? false : `no ${root}` },
    async () => {
      const dir = mkdtempSync(join(root, 'nm-host-'));
      try {
        const path = join(dir, 'state.json');
        await writeFileAtomic(path, 'first');
        await writeFileAtomic(path, 'second');
        assert.equal(readFileSync(path, 'utf8'), 'second');
        assert.equal(statSync(path).mode & 0o777, 0o600);
        assert.deepEqual(readdirSync(dir), ['state.json']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}

test('an atomic write into a missing directory fails with the op and the path', async () => {
  await assert.rejects(writeFileAtomic('/nonexistent-dir-nm/state.json', 'x'), /write \/nonexistent-dir-nm\/state.json: ENOENT/);
});

test('trees removed in one turn: a batch goes to rm together, a few one by one; symlinks in them are not followed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-trees-'));
  try {
    const make = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => {
        const t = join(dir, `${prefix}${i}`);
        mkdirSync(join(t, 'layer', 'upper'), { recursive: true });
        writeFileSync(join(t, 'state.json'), '{}');
        symlinkSync('/etc', join(t, 'link')); // removed, never followed
        return t;
      });
    const host = new LinuxHost();
    const many = make(20, 'm');
    const few = make(3, 'f');
    await Promise.all([...many, ...few, join(dir, 'missing')].map((t) => host.removeTree(t)));
    assert.deepEqual(readdirSync(dir), []);
    assert.ok(existsSync('/etc/hostname') || existsSync('/etc/passwd'), 'nothing outside the trees was touched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const root = process.getuid?.() === 0;
const chattr = ['/usr/bin/chattr', '/bin/chattr'].find((p) => existsSync(p));
test(
  'a tree rm cannot remove fails alone, naming its path; the rest of its batch goes',
  { skip: root && !(chattr && existsSync('/dev/shm')) ? 'root needs chattr and /dev/shm (tmpfs) to make an undeletable tree' : false },
  async () => {
    // Root passes any permission check: an immutable directory (tmpfs has the flag) stands in.
    const dir = mkdtempSync(join(root ? '/dev/shm' : tmpdir(), 'nm-trees-'));
    const trees = Array.from({ length: 10 }, (_, i) => join(dir, `t${i}`));
    const stuck = trees[0]!;
    for (const t of trees) mkdirSync(join(t, 'sub'), { recursive: true });
    const lock = (on: boolean) => (root ? execFileSync(chattr!, [on ? '+i' : '-i', stuck]) : chmodSync(stuck, on ? 0o500 : 0o700));
    lock(true);
    try {
      const results = await Promise.allSettled(trees.map((t) => new LinuxHost().removeTree(t)));
      assert.equal(results[0]!.status, 'rejected');
      assert.match(String((results[0] as PromiseRejectedResult).reason), new RegExp(`remove.*${stuck}`));
      assert.ok(results.slice(1).every((r) => r.status === 'fulfilled'));
      assert.deepEqual(readdirSync(dir), ['t0']);
    } finally {
      lock(false);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
