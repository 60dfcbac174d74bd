import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { LinuxHost } from '../../engine/host/linux-host.js';
import { buildBusyboxRoot } from '../../engine/rootfs/busybox.js';
import { BIN, startDaemon, tempBase, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const TRANSCRIPTS = fileURLToPath(new URL('../../../test/transcripts', import.meta.url));

describe('nanomega test test/transcripts', { skip }, () => {
  let d: TestDaemon;
  let pre: HostSnapshot;
  let images: string;

  before(async () => {
    pre = snapshot();
    images = tempBase();
    mkdirSync(images, { recursive: true });
    await buildBusyboxRoot(new LinuxHost(), join(images, 'busybox'));
    process.env.images = images; // the daemon expands $images from its environment
    d = await startDaemon();
  });

  after(async () => {
    await d?.dispose();
    spawnSync('rm', ['-rf', images]);
    await assertNoLeaks(pre);
  });

  test('every transcript matches its .want, and the runner says so in minitest form', () => {
    const r = spawnSync(process.execPath, [BIN, '--base', d.base, 'test', TRANSCRIPTS], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS .*container_lifecycle\.mm$/m);
    assert.match(r.stdout, /^\d+ passed, 0 failed$/m);
  });

  test('a transcript that differs fails with a diff and a non-zero exit', () => {
    const bad = join(images, 'bad.mm');
    spawnSync('sh', ['-c', `printf 'vm config memory\\n' > ${bad}; printf '## vm config memory\\n1024\\n' > ${images}/bad.want`]);
    const r = spawnSync(process.execPath, [BIN, '--base', d.base, 'test', bad], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^FAIL /m);
    assert.match(r.stdout, /\+2048/);
    assert.match(r.stdout, /^0 passed, 1 failed$/m);
  });
});
