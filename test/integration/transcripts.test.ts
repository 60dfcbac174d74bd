import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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
    process.env.files = join(images, 'files'); // and $files: the files directory the `files` transcript uses
    d = await startDaemon({ filepath: process.env.files });
  });

  after(async () => {
    await d?.dispose();
    spawnSync('rm', ['-rf', images]);
    await assertNoLeaks(pre);
  });

  test('every transcript matches its .want, and the runner says so in minitest form', () => {
    const r = spawnSync(process.execPath, [BIN, '--base', d.base, 'test', TRANSCRIPTS], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const t of [
      'lifecycle',
      'language',
      'builtins',
      'scripts',
      'shell',
      'vm_config',
      'tags',
      'uuid',
      'net',
      'namespaces',
      'plumbing',
      'files',
      'taps',
      'router',
      'bridge',
    ]) {
      assert.match(r.stdout, new RegExp(`^PASS .*/${t}$`, 'm'), t);
    }
    assert.match(r.stdout, /^\d+ passed, 0 failed$/m);
  });

  test('minitest conventions: files without extension, prolog before and epilog after each test, --run', () => {
    const dir = join(images, 'suite');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prolog'), '.annotate false\nvm config memory 64\n');
    writeFileSync(join(dir, 'epilog'), 'clear all\n');
    writeFileSync(join(dir, 'first'), 'vm config memory\nvm config memory 128\n');
    writeFileSync(join(dir, 'first.want'), '## vm config memory\n64\n## vm config memory 128\n');
    writeFileSync(join(dir, 'second'), 'vm config memory\n');
    writeFileSync(join(dir, 'second.want'), '## vm config memory\n64\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a test\n');
    const r = spawnSync(process.execPath, [BIN, '--base', d.base, 'test', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS .*\/first\nPASS .*\/second\n2 passed, 0 failed$/m);
    assert.ok(existsSync(join(dir, 'first.got')));
    const one = spawnSync(process.execPath, [BIN, '--base', d.base, 'test', '--run', '^sec', dir], { encoding: 'utf8' });
    assert.match(one.stdout, /^PASS .*\/second\n1 passed, 0 failed$/m);
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
