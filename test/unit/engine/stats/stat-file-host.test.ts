import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { StatFileHost } from '../../../../engine/stats/stat-file-host.js';

test('forget closes the kept files of one directory only, and a re-read reopens them', async () => {
  const root = mkdtempSync(join(tmpdir(), 'stat-file-host-'));
  try {
    for (const d of ['a', 'ab', 'b']) {
      mkdirSync(join(root, d));
      writeFileSync(join(root, d, 'memory.current'), `${d}\n`);
      writeFileSync(join(root, d, 'pids.current'), '1\n');
    }
    const h = new StatFileHost(new FakeHost(), 100);
    for (const d of ['a', 'ab', 'b']) for (const f of ['memory.current', 'pids.current']) await h.readFile(join(root, d, f));
    assert.equal(h.openFiles, 6);
    h.forget(join(root, 'a'));
    assert.equal(h.openFiles, 4, 'a sibling whose name starts the same (ab) keeps its files');
    h.forget(`${join(root, 'b')}/`);
    assert.equal(h.openFiles, 2);
    writeFileSync(join(root, 'a', 'memory.current'), 'changed\n');
    assert.equal(await h.readFile(join(root, 'a', 'memory.current')), 'changed\n');
    assert.equal(h.openFiles, 3);
    h.closeAll();
    assert.equal(h.openFiles, 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
