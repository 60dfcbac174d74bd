// Path safety (security-and-reliability.md, confinement 7): hostile symlinks in the rootfs and in
// volume paths can never make the shim mount onto or create anything on the host. Each case plants
// symlinks pointing at a host "target" directory holding one marker file, launches through the
// daemon (snapshot on and off), and checks afterwards that the target holds exactly the marker and
// that nothing is mounted there. A launch may fail (a safe refusal) or succeed with everything
// resolved inside the rootfs; in both cases the host is untouched.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConsoleClient } from '../helpers/console.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.push(join(rel, e.name));
      if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
    }
  };
  walk(dir, '');
  return out.sort();
}

function mountedAt(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4]?.startsWith(path));
}

describe('hostile symlinks never reach the host', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let work = '';
  let pre: HostSnapshot;
  let n = 0;

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    work = mkdtempSync(join(tmpdir(), 'nm-hostile-'));
    d = await startDaemon();
  });

  after(async () => {
    await d?.dispose();
    await fs?.remove();
    if (work) rmSync(work, { recursive: true, force: true });
    await assertNoLeaks(pre);
  });

  /** A copy of the busybox rootfs, a host target dir with a marker, and a volume source dir. */
  function setup(): { root: string; target: string; src: string } {
    const k = ++n;
    const root = join(work, `root${k}`);
    cpSync(fs.dir, root, { recursive: true, verbatimSymlinks: true });
    const target = join(work, `target${k}`);
    mkdirSync(target);
    writeFileSync(join(target, 'marker'), 'host');
    const src = join(work, `src${k}`);
    mkdirSync(src);
    writeFileSync(join(src, 'payload'), 'volume');
    return { root, target, src };
  }

  /** Launch one container with `lines` of config; returns its state and error. */
  async function tryLaunch(name: string, root: string, snapshotOn: boolean, lines: string[]): Promise<{ state: string; error: string; console: string }> {
    await d.ok('clear vm config');
    await d.ok(`vm config filesystem ${root}`);
    await d.ok(`vm config snapshot ${snapshotOn}`);
    for (const l of lines) await d.ok(l);
    await d.exec(`vm launch container ${name}`);
    const c = (await d.client.call('vm.info')).find((x) => x.name === name)!;
    console.log(`# ${name}: ${c.state} ${c.tags.error ?? ''}`);
    return { state: c.state, error: c.tags.error ?? '', console: c.console };
  }

  async function cleanup(name: string): Promise<void> {
    await d.exec(`vm kill ${name}`);
    await d.ok('vm flush');
  }

  function assertUntouched(target: string): void {
    assert.deepEqual(listTree(target), ['marker'], 'nothing was created in the host target');
    assert.equal(readFileSync(join(target, 'marker'), 'utf8'), 'host');
    assert.equal(mountedAt(target), false, 'nothing is mounted on the host target');
  }

  // inside: the symlinks' targets also exist inside the rootfs. Either way the launch is refused:
  // proc, sys and dev must be ordinary directories in the image (runc's rule, review L2).
  for (const [snap, inside] of [
    [true, true],
    [true, false],
    [false, true],
    [false, false],
  ] as const) {
    test(`rootfs /dev, /proc, /sys as absolute and ../ symlinks out of the root (snapshot ${snap}, target inside ${inside})`, async () => {
      const { root, target } = setup();
      for (const dir of ['dev', 'proc', 'sys']) {
        rmSync(join(root, dir), { recursive: true, force: true });
        if (inside) mkdirSync(join(root, target, dir), { recursive: true });
      }
      symlinkSync(join(target, 'dev'), join(root, 'dev'));
      symlinkSync(`../../../../../../..${target}/proc`, join(root, 'proc'));
      symlinkSync(join(target, 'sys'), join(root, 'sys'));
      const name = `hs-dev-${snap}-${inside}`;
      const r = await tryLaunch(name, root, snap, []);
      assertUntouched(target);
      assert.equal(r.state, 'ERROR');
      assert.match(r.error, /mount point `\/proc` in the image is \(or is under\) a symlink/);
      await cleanup(name);
      assertUntouched(target);
    });

    test(`volume destination through a symlink out of the root (snapshot ${snap}, target inside ${inside})`, async () => {
      const { root, target, src } = setup();
      if (inside) mkdirSync(join(root, target), { recursive: true });
      mkdirSync(join(root, 'mnt'), { recursive: true });
      symlinkSync(target, join(root, 'mnt', 'out'));
      rmSync(join(root, 'etc'), { recursive: true, force: true });
      symlinkSync(target, join(root, 'etc'));
      const name = `hs-vol-${snap}-${inside}`;
      const r = await tryLaunch(name, root, snap, [`vm config volume /mnt/out/new/deeper ${src}`, `vm config volume /etc/cfg ${src}`]);
      assertUntouched(target);
      assert.equal(r.state, inside ? 'BUILDING' : 'ERROR', r.error);
      if (r.state !== 'ERROR') {
        await d.ok(`vm start ${name}`);
        const con = await ConsoleClient.connect(r.console);
        try {
          // The bind is visible inside, at the path as resolved inside the root.
          assert.equal((await con.run('cat /mnt/out/new/deeper/payload')).trim(), 'volume');
          assert.equal((await con.run('cat /etc/cfg/payload')).trim(), 'volume');
        } finally {
          con.close();
        }
      }
      await cleanup(name);
      assertUntouched(target);
      assert.deepEqual(listTree(src), ['payload'], 'volume source unchanged');
    });
  }

  // Review L2: `/proc -> /` would stack procfs on the root itself, and the masks would land on the
  // tree underneath. Each of the three, pointing at the root, is refused by name.
  for (const dir of ['proc', 'sys', 'dev']) {
    test(`an image whose /${dir} is a symlink to / is refused`, async () => {
      const { root, target } = setup();
      rmSync(join(root, dir), { recursive: true, force: true });
      symlinkSync('/', join(root, dir));
      const name = `hs-root-${dir}`;
      const r = await tryLaunch(name, root, true, []);
      assert.equal(r.state, 'ERROR');
      assert.match(r.error, new RegExp(`mount point \`/${dir}\` in the image is \\(or is under\\) a symlink`));
      await cleanup(name);
      assertUntouched(target);
    });
  }

  test('an image whose /proc is a file is refused', async () => {
    const { root } = setup();
    rmSync(join(root, 'proc'), { recursive: true, force: true });
    writeFileSync(join(root, 'proc'), 'not a directory');
    const r = await tryLaunch('hs-proc-file', root, false, []);
    assert.equal(r.state, 'ERROR');
    assert.match(r.error, /mount point `\/proc` in the image is not a directory/);
    await cleanup('hs-proc-file');
  });

  // Review L1: a volume over /proc/sys/kernel would let the container choose what the kernel's
  // settings (cap_last_cap among them) read as. Refused named directly, and reached through an
  // image symlink `/data -> /proc/sys/kernel`; also a file volume on a procfs file and devpts.
  test('a volume whose destination is on procfs, sysfs or devpts is refused', async () => {
    const { root, src } = setup();
    const file = join(work, 'cap_last_cap');
    writeFileSync(file, '0\n');
    symlinkSync('/proc/sys/kernel', join(root, 'data'));
    const cases: [string, string, RegExp][] = [
      ['hs-kvol1', `vm config volume /proc/sys/kernel ${src}`, /volume `\/proc\/sys\/kernel`: destination is on \/proc/],
      ['hs-kvol2', `vm config volume /data ${src}`, /volume `\/data`: destination is on \/proc/],
      ['hs-kvol3', `vm config volume /proc/sys/kernel/cap_last_cap ${file}`, /destination is on \/proc/],
      ['hs-kvol4', `vm config volume /sys/kernel ${src}`, /destination is on \/sys/],
      ['hs-kvol5', `vm config volume /dev/pts/x ${file}`, /volume `\/dev\/pts\/x`/],
    ];
    for (const [name, line, want] of cases) {
      const r = await tryLaunch(name, root, true, [line]);
      assert.equal(r.state, 'ERROR', `${line}: ${r.state}`);
      assert.match(r.error, want);
      await cleanup(name);
    }
    assert.deepEqual(listTree(src), ['payload'], 'volume source unchanged');
  });

  test('a volume source that is a symlink, or under one, is refused', async () => {
    const { root, target } = setup();
    const link = join(work, 'src-link');
    symlinkSync(target, link);
    let r = await tryLaunch('hs-src1', root, true, [`vm config volume /v ${link}`]);
    assert.equal(r.state, 'ERROR');
    assert.match(r.error, /symlink/);
    await cleanup('hs-src1');
    r = await tryLaunch('hs-src2', root, true, [`vm config volume /v ${link}/marker`]);
    assert.equal(r.state, 'ERROR');
    assert.match(r.error, /symlink/);
    await cleanup('hs-src2');
    assertUntouched(target);
  });
});
