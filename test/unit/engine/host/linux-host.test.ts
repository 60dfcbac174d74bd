import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../../../engine/host/linux-host.js';

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
