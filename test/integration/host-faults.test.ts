// Faults from outside the daemon: its launcher or a monitor SIGKILLed, its state directory read-only
// or full. The daemon keeps serving, answers with errors that name the path, and never loses or
// invents a container.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { ConsoleClient } from '../helpers/console.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { useContainerSuite } from '../helpers/suite.js';
import { alive, gone, until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** Shim processes (the launcher and monitors: their executable is the shim) with their parent. */
function shims(): { pid: number; ppid: number; log: string }[] {
  const out: { pid: number; ppid: number; log: string }[] = [];
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readlinkSync(`/proc/${p}/exe`).includes('nanomega-shim')) continue;
      const status = execFileSync('cat', [`/proc/${p}/status`], { encoding: 'utf8' });
      out.push({ pid: Number(p), ppid: Number(/^PPid:\s+(\d+)$/m.exec(status)?.[1] ?? 0), log: readlinkSync(`/proc/${p}/fd/2`) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function info(d: TestDaemon, name: string): Promise<ContainerInfo | undefined> {
  return (await d.client.call('vm.info')).find((c) => c.name === name);
}

describe('the launcher or a monitor killed', { skip, timeout: 120_000 }, () => {
  const suite = useContainerSuite();

  test('a killed launcher leaves running containers alone, and the next launch starts a new one', async () => {
    await suite.d.ok('vm launch container l0');
    await suite.d.ok('vm start l0');
    const launcher = shims().find((s) => s.ppid === suite.d.proc.pid);
    assert.ok(launcher, 'the daemon has a launcher');
    process.kill(launcher.pid, 'SIGKILL');
    await gone(launcher.pid);
    const l0 = (await info(suite.d, 'l0'))!;
    const con = await ConsoleClient.connect(l0.console);
    assert.equal((await con.run('echo still-$((6*7))')).trim(), 'still-42');
    con.close();
    assert.equal((await info(suite.d, 'l0'))!.state, 'RUNNING');
    await suite.d.ok('vm launch container l1');
    await suite.d.ok('vm start l1');
    assert.equal((await info(suite.d, 'l1'))!.state, 'RUNNING');
    const next = shims().find((s) => s.ppid === suite.d.proc.pid);
    assert.ok(next && next.pid !== launcher.pid, 'a new launcher');
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
  });

  test("monitors are the launcher's children, reaped by the kernel as they exit: no zombie piles up under it", async () => {
    await suite.d.ok('vm launch container r[0-2]');
    await suite.d.ok('vm start r[0-2]');
    const launcher = shims().find((s) => s.ppid === suite.d.proc.pid);
    assert.ok(launcher, 'the daemon has a launcher');
    const dirs = (await suite.d.client.call('vm.info')).filter((c) => /^r\d$/.test(c.name)).map((c) => c.dir);
    const monitors = dirs.map((dir) => shims().find((s) => s.log === join(dir, 'shim.log')));
    assert.equal(monitors.length, 3);
    for (const m of monitors) assert.equal(m?.ppid, launcher.pid, "a monitor is the launcher's child");
    await suite.d.ok('vm kill r[0-2]');
    // A zombie keeps its /proc entry: gone() would count it as gone, this does not.
    for (const m of monitors) await until(`monitor ${m!.pid} reaped`, () => !existsSync(`/proc/${m!.pid}`));
    assert.ok(alive(launcher.pid), 'the launcher lives on');
    for (const c of await suite.d.client.call('vm.info')) if (/^r\d$/.test(c.name)) assert.equal(c.state, 'QUIT', `${c.name}'s exit was seen by its monitor`);
    await suite.d.ok('vm flush');
  });

  test('a killed monitor leaves its container ERROR with the reason, and nothing of it behind', async () => {
    await suite.d.ok('vm launch container m0');
    await suite.d.ok('vm start m0');
    const m0 = (await info(suite.d, 'm0'))!;
    const monitor = shims().find((s) => s.log === join(m0.dir, 'shim.log'));
    assert.ok(monitor, 'm0 has a monitor');
    process.kill(monitor.pid, 'SIGKILL');
    const ended = await until('m0 to end', async () => {
      const c = await info(suite.d, 'm0');
      return c && c.state !== 'RUNNING' ? c : undefined;
    });
    assert.equal(ended.state, 'ERROR');
    assert.equal(ended.tags.error, 'monitor vanished without recording an exit status');
    await gone(m0.pid);
    await suite.d.ok('vm flush');
  });
});

describe('a state directory that is read-only or full', { skip, timeout: 120_000 }, () => {
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let mnt = '';
  let d: TestDaemon | undefined;
  let pre: HostSnapshot;
  const remount = (opts: string) => execFileSync('mount', ['-o', `remount,${opts}`, mnt]);

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    // A small tmpfs of our own as the base, so it can be made read-only or full.
    mnt = mkdtempSync(join(tmpdir(), 'nm-smallbase-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0711', 'nm-smallbase', mnt]);
    d = await startDaemon({ base: join(mnt, 'b') });
    await d.ok(`vm config filesystem ${fs.dir}`);
  });

  after(async () => {
    if (mnt) remount('rw');
    await d?.dispose();
    if (mnt) {
      execFileSync('umount', [mnt]);
      rmdirSync(mnt);
    }
    await fs?.remove();
    await assertNoLeaks(pre);
  });

  test('read-only: launch fails naming the path, nothing is half-made, the daemon serves on; writable again, it works', async () => {
    // (A base with running containers cannot be remounted read-only: their overlay uppers and
    // shim.log files are open there. An admin's `mount -o remount,ro` fails the same way.)
    remount('ro');
    const r = await d!.exec('vm launch container ro1');
    assert.equal(r.errors.length, 1, JSON.stringify(r));
    assert.match(r.errors[0]!, new RegExp(`${d!.base}.*EROFS|EROFS.*${d!.base}`));
    assert.equal(await info(d!, 'ro1'), undefined, 'no container that does not exist');
    assert.deepEqual(await d!.client.call('vm.info'), [], 'the daemon answers');
    remount('rw');
    await d!.ok('vm launch container ro1');
    await d!.ok('vm start ro1');
    assert.equal((await info(d!, 'ro1'))!.state, 'RUNNING');
    await d!.ok('vm kill all');
    await d!.ok('vm flush');
  });

  test('full: a launch fails with ENOSPC; an exit meanwhile is kept and saved once there is room; the daemon serves on', async () => {
    await d!.ok('vm launch container full0');
    await d!.ok('vm start full0');
    const filler = join(mnt, 'filler');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
    } catch {
      // dd stops at ENOSPC: that is the point
    }
    const r = await d!.exec('vm launch container full1');
    assert.equal(r.errors.length, 1, JSON.stringify(r));
    assert.match(r.errors[0]!, /ENOSPC/);
    assert.equal(await info(d!, 'full1'), undefined, 'no container that does not exist');
    // init dies while nothing can be written: the exit is known in memory and reported.
    const c = (await info(d!, 'full0'))!;
    process.kill(c.pid, 'SIGKILL');
    const ended = await until('full0 to end', async () => {
      const x = await info(d!, 'full0');
      return x && x.state !== 'RUNNING' ? x : undefined;
    });
    assert.deepEqual([ended.state, ended.tags.error], ['ERROR', 'init killed by signal 9']);
    await rm(filler);
    // The retried save lands once there is room, and a restarted daemon reads the exit from disk.
    const statePath = join(d!.base, String(c.id), 'state.json');
    await until('the retried save of the exit', () => JSON.parse(readFileSync(statePath, 'utf8')).state === 'ERROR', 30_000);
    await d!.crash();
    await d!.restart();
    const reread = (await info(d!, 'full0'))!;
    assert.deepEqual([reread.state, reread.tags.error], ['ERROR', 'init killed by signal 9']);
    assert.ok(!alive(c.pid));
    await d!.ok('vm flush');
    writeFileSync(join(mnt, 'probe'), 'writable again');
  });
});
