import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LinuxHost } from '../../../../engine/host/linux-host.js';
import { runOnPaths, type PathRequest } from '../../../../engine/host/turn-batch.js';

const request = (path: string): PathRequest => ({ path, resolve: () => undefined, reject: () => undefined });

test('runOnPaths runs the command once on every path, names with spaces and newlines included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-paths-'));
  try {
    const names = Array.from({ length: 300 }, (_, i) => (i % 50 === 0 ? `odd name\n${i}` : `p${i}`));
    const why = await runOnPaths(
      new LinuxHost(),
      ['touch', '--'],
      names.map((n) => request(join(dir, n))),
      128,
      2,
    );
    assert.equal(why, '');
    assert.deepEqual(readdirSync(dir).sort(), [...names].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runOnPaths goes on after a failed process and says it failed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-paths-'));
  try {
    // The first process of four fails on its missing directory; the other three still run.
    const paths = [join(dir, 'missing', 'x'), ...Array.from({ length: 30 }, (_, i) => join(dir, `p${i}`))];
    const why = await runOnPaths(new LinuxHost(), ['touch', '--'], paths.map(request), 8, 1);
    assert.notEqual(why, '');
    assert.match(why, /missing/);
    assert.ok(existsSync(join(dir, 'p29')), 'the last process ran');
    assert.equal(readdirSync(dir).length, 30);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
