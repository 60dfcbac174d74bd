// Read-only volumes (review L3): the bind of a host tree carries its submounts, and each of them
// must be read-only inside too; the remount must keep the flags the source had (nosuid, nodev,
// noexec), which a plain MS_BIND|MS_REMOUNT|MS_RDONLY clears. The engine's read-only volumes are
// the built-in filesystem's binds of host /usr, /bin, /lib*; the host's real /usr is not ours to
// mount on, so this drives the shim directly with a read-only volume whose source is a tmpfs
// (noexec,nosuid,nodev) holding another tmpfs (noexec).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ShimLaunch } from '../../engine/shim/shim-process.js';
import { leaked, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'overlay', 'shim', 'busybox');

const SCRIPT = `B=/bin/busybox
OUT=/kit/results
: > $OUT
say() { echo "$*" >> $OUT; }
refused() { n=$1; shift; if "$@" 2>/dev/null; then say "FAIL $n: succeeded"; else say "PASS $n"; fi; }
refused ro-top-write $B touch /ro/x
refused ro-submount-write $B touch /ro/sub/x
$B grep -E ' /ro(/sub)? ' /proc/self/mountinfo | $B cut -d' ' -f5,6 >> $OUT
say DONE
`;

describe('read-only volumes are read-only all the way down and keep their flags', { skip }, () => {
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let work = '';
  let pre: HostSnapshot;

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    work = mkdtempSync(join(tmpdir(), 'nm-rovol-'));
    mkdirSync(join(work, 'kit'));
    mkdirSync(join(work, 'src'));
    mkdirSync(join(work, 'c1'));
    writeFileSync(join(work, 'kit', 'ro.sh'), SCRIPT);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'noexec,nosuid,nodev,size=1m', 'nm-rovol', join(work, 'src')]);
    mkdirSync(join(work, 'src', 'sub'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'noexec,size=1m', 'nm-rovol-sub', join(work, 'src', 'sub')]);
  });

  after(async () => {
    if (work) {
      execFileSync('umount', [join(work, 'src', 'sub')], { stdio: 'ignore' });
      execFileSync('umount', [join(work, 'src')], { stdio: 'ignore' });
      rmSync(work, { recursive: true, force: true });
    }
    await fs?.remove();
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  test('a read-only volume with a submount', async () => {
    const l = ShimLaunch.spawn({
      id: 1,
      name: 'rovol',
      dir: join(work, 'c1'),
      rootfs: fs.dir,
      snapshot: true,
      hostname: 'rovol',
      uuid: '2a0c6b3e-0000-4000-8000-0000000000a1',
      init: ['/bin/busybox', 'sh', '/kit/ro.sh'],
      env: ['PATH=/bin'],
      preinit: '',
      fifos: 0,
      volumes: [
        { src: join(work, 'kit'), dst: '/kit', readonly: false },
        { src: join(work, 'src'), dst: '/ro', readonly: true },
      ],
      cgroups: [],
      caps: [],
      cols: 80,
      rows: 24,
      scrollback: 65536,
    });
    try {
      await l.pids();
      await l.mounted();
      l.continue();
      await l.ready();
      l.exec();
      assert.match(await l.exited(), /code=0/);
    } finally {
      l.release();
    }
    const lines = readFileSync(join(work, 'kit', 'results'), 'utf8')
      .split('\n')
      .filter(Boolean);
    for (const line of lines) console.log(`# ${line}`);
    assert.ok(lines.includes('DONE'), 'the script ran to the end');
    assert.deepEqual(
      lines.filter((x) => x.startsWith('FAIL')),
      [],
    );
    assert.ok(lines.includes('PASS ro-top-write') && lines.includes('PASS ro-submount-write'));
    const opts = (at: string) =>
      lines
        .find((x) => x.startsWith(`${at} `))
        ?.split(' ')[1]
        ?.split(',') ?? [];
    for (const want of ['ro', 'nosuid', 'nodev', 'noexec']) assert.ok(opts('/ro').includes(want), `/ro has ${want}: ${opts('/ro').join(',')}`);
    for (const want of ['ro', 'noexec']) assert.ok(opts('/ro/sub').includes(want), `/ro/sub has ${want}: ${opts('/ro/sub').join(',')}`);
  });
});
