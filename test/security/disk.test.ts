// Review M2: a container cannot fill the filesystem that holds the base (its writable layer is a
// tmpfs of `vm config disk-size`), and a full base is an error, never a crash: exits are kept in
// memory and saved once there is room again, and the daemon starts on a full disk.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemon } from '../helpers/daemon.js';
import { leaked, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A base on a tmpfs of `size` at a fresh temp dir: a filesystem that is the test's alone. */
function tmpfsBase(size: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nm-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'nm-disk-test', dir]);
  mkdirSync(join(dir, 'base'), { mode: 0o700 });
  return join(dir, 'base');
}

function unmount(base: string): void {
  const dir = join(base, '..');
  execFileSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}

function usedBytes(dir: string): number {
  const s = statfsSync(dir);
  return (s.blocks - s.bfree) * s.bsize;
}

/** Fill the filesystem of `dir` with one file until ENOSPC; returns the file. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 16, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  return path;
}

function layerMount(dir: string): string | undefined {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === join(dir, 'layer'));
}

describe('disk: the writable layer is bounded and a full base is survived', { skip }, () => {
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let kit = '';
  let pre: HostSnapshot;

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    kit = mkdtempSync(join(tmpdir(), 'nm-diskkit-'));
  });

  after(async () => {
    await fs?.remove();
    if (kit) rmSync(kit, { recursive: true, force: true });
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  test('filling the root of a container stops at disk-size; the base filesystem does not grow', async () => {
    const base = tmpfsBase('256m');
    const d = await startDaemon({ base });
    try {
      await d.ok(`vm config filesystem ${fs.dir}`);
      await d.ok('vm config disk-size 32M');
      assert.equal((await d.ok('vm config disk-size')).trim(), '32M');
      await d.ok(`vm config volume /kit ${kit}`);
      const script = 'dd if=/dev/zero of=/fill bs=1M count=64 2> /kit/dd.err; wc -c < /fill > /kit/size; echo done > /kit/done; exec sleep 600';
      await d.ok(`vm config init /bin/busybox sh -c "${script}"`);
      await d.ok('vm launch container filler');
      const c = (await d.client.call('vm.info'))[0]!;
      assert.match(layerMount(c.dir) ?? '', /tmpfs nanomega-layer rw,size=32768k/, 'a 32M tmpfs under the instance dir');
      const before = usedBytes(base);
      await d.ok('vm start filler');
      await until('the fill to end', () => existsSync(join(kit, 'done')));
      assert.match(readFileSync(join(kit, 'dd.err'), 'utf8'), /No space left on device/);
      const size = Number(readFileSync(join(kit, 'size'), 'utf8').trim());
      assert.ok(size <= 32 << 20 && size > 24 << 20, `wrote ${size} bytes`);
      assert.ok(usedBytes(base) - before < 1 << 20, `the base grew by ${usedBytes(base) - before} bytes`);
      assert.equal((await d.client.call('vm.info'))[0]!.state, 'RUNNING', 'the container lives on');
      await d.ok('vm kill filler');
      await d.ok('vm flush');
      assert.equal(layerMount(c.dir), undefined, 'the layer is unmounted at flush');
    } finally {
      await d.dispose();
      unmount(base);
    }
  });

  test('a full base: exits kept in memory and saved later, launches refused with the reason, restart works', async () => {
    const base = tmpfsBase('8m');
    const d = await startDaemon({ base });
    let filler = '';
    try {
      await d.ok(`vm config filesystem ${fs.dir}`);
      await d.ok('vm config init /bin/busybox sleep 600');
      await d.ok('vm launch container full1');
      await d.ok('vm start full1');
      const c1 = (await d.client.call('vm.info'))[0]!;
      filler = fill(base);

      await d.ok('vm kill full1');
      assert.equal((await d.client.call('vm.info'))[0]!.state, 'QUIT', 'the exit is known');
      const onDisk = () => JSON.parse(readFileSync(join(c1.dir, 'state.json'), 'utf8')) as { state: string };
      assert.equal(onDisk().state, 'RUNNING', 'the disk refused the record');
      const r = await d.exec('vm launch container full2');
      assert.match(r.errors.join(), /ENOSPC|no space left/i);
      assert.equal(d.proc.exitCode, null, 'the daemon is still running');

      await d.crash();
      await d.restart(); // on the still-full base
      const names = (await d.client.call('vm.info')).map((c) => [c.name, c.state]);
      assert.ok(
        names.some(([n, s]) => n === 'full1' && s !== 'RUNNING'),
        JSON.stringify(names),
      );

      unlinkSync(filler);
      await until('the kept state to be saved', () => onDisk().state !== 'RUNNING');
      await d.ok('vm kill all');
      await d.ok('vm flush');
      assert.deepEqual(await d.client.call('vm.info'), []);
    } finally {
      if (filler) rmSync(filler, { force: true });
      await d.dispose();
      unmount(base);
    }
  });
});
