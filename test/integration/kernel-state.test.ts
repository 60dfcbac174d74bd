// What the kernel says about a container, read from the host (or from /proc inside), not what the
// engine reports: limits in the real cgroups, its own namespaces, the old root gone after pivot_root,
// read-only /proc paths, a failed launch leaving nothing, a relaunched ERROR container, the
// console's scrollback size.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { SCROLLBACK_BYTES } from '../../engine/commands/launch.js';
import { DEFAULT_PIDS_MAX } from '../../engine/engine.js';
import { readCgroup } from '../helpers/cgroups.js';
import { ConsoleClient } from '../helpers/console.js';
import { assertNoLeaks, snapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

describe("the kernel's view of a container", { skip, timeout: 180_000 }, () => {
  const suite = useContainerSuite();
  let kit = '';
  const info = async (name: string): Promise<ContainerInfo> => (await suite.d.client.call('vm.info')).find((c) => c.name === name)!;
  const started = async (name: string): Promise<{ c: ContainerInfo; con: ConsoleClient }> => {
    await suite.d.ok(`vm launch container ${name}`);
    await suite.d.ok(`vm start ${name}`);
    const c = await info(name);
    return { c, con: await ConsoleClient.connect(c.console) };
  };

  before(() => {
    kit = mkdtempSync(join(tmpdir(), 'nm-kit-'));
  });
  after(() => {
    rmSync(kit, { recursive: true, force: true });
  });

  test(`pids.max is ${DEFAULT_PIDS_MAX} and the cpu quota is vcpus × the period, in the container's own cgroups`, async () => {
    await suite.d.ok('vm config vcpus 2');
    await suite.d.ok('vm launch container lim0');
    await suite.d.ok('clear vm config vcpus');
    await suite.d.ok('vm launch container lim1');
    for (const [name, vcpus] of [
      ['lim0', 2],
      ['lim1', 1],
    ] as const) {
      const pid = (await info(name)).pid;
      assert.equal(readCgroup(pid, 'pids', 'pids.max'), String(DEFAULT_PIDS_MAX), `${name} pids.max`);
      let quota: string;
      try {
        quota = readCgroup(pid, 'cpu', 'cpu.max'); // cpu on cgroup2
      } catch {
        quota = `${readCgroup(pid, 'cpu', 'cpu.cfs_quota_us')} ${readCgroup(pid, 'cpu', 'cpu.cfs_period_us')}`;
      }
      assert.equal(quota, `${vcpus * 100_000} 100000`, `${name} cpu quota for ${vcpus} vcpus`);
    }
    await suite.d.ok('vm kill lim[0-1]');
    await suite.d.ok('vm flush');
  });

  test('init has its own pid, mount, uts, ipc, net and cgroup namespaces', async () => {
    await suite.d.ok('vm launch container ns0');
    const pid = (await info('ns0')).pid;
    for (const ns of ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup']) {
      const mine = readlinkSync(`/proc/self/ns/${ns}`);
      const its = ns === 'pid' ? readlinkSync(`/proc/${pid}/ns/pid_for_children`) : readlinkSync(`/proc/${pid}/ns/${ns}`);
      assert.notEqual(its, mine, `${ns} namespace of init`);
    }
    await suite.d.ok('vm kill ns0');
    await suite.d.ok('vm flush');
  });

  test('a System V shared memory segment of the host is not visible inside (IPC namespace)', async () => {
    const { con } = await started('ipc0');
    // shmget/shmctl through python3's ctypes (no SysV tool in busybox): a 4 KiB segment, key 0x6e6d0001.
    const shm = (op: string) =>
      execFileSync(
        'python3',
        ['-c', `import ctypes; l = ctypes.CDLL(None); i = l.shmget(0x6e6d0001, 4096, 0o1600); print(i if '${op}' == 'make' else l.shmctl(i, 0, None))`],
        { encoding: 'utf8' },
      ).trim();
    const id = shm('make');
    try {
      assert.ok(Number(id) >= 0, `shmget: ${id}`);
      assert.match(readFileSync('/proc/sysvipc/shm', 'utf8'), /^\s*1852637185\s/m, 'the host lists its segment');
      const inside = await con.run('cat /proc/sysvipc/shm');
      assert.doesNotMatch(inside, /1852637185/, 'the container does not');
      assert.equal(inside.trim().split('\n').length, 1, `only the header inside: ${inside}`);
    } finally {
      assert.equal(shm('remove'), '0', 'IPC_RMID');
    }
    con.close();
    await suite.d.ok('vm kill ipc0');
    await suite.d.ok('vm flush');
  });

  test('the old root is detached after pivot_root: no mount of the host root, no host path', async () => {
    const { con } = await started('piv0');
    const hostRoot = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[4] === '/')!
      .split(' ');
    const rootDev = hostRoot[2]!; // major:minor of the filesystem the host's / is
    const mounts = (await con.run('cat /proc/self/mountinfo')).split('\n').filter((l) => /^\d+ \d+ /.test(l));
    assert.ok(mounts.length > 3, `the container has its own mounts: ${mounts.length}`);
    const hostWhole = mounts.filter((l) => {
      const f = l.split(' ');
      return f[2] === rootDev && f[3] === '/';
    });
    assert.deepEqual(hostWhole, [], "no mount of the host root filesystem's top");
    for (const l of mounts) assert.ok(!/ \/(old|\.old|oldroot|\.pivot)\S* /.test(l), `no old-root mount point: ${l}`);
    assert.equal((await con.run('[ -e /work ] || [ -e /etc/hostname.host ] && echo host || echo own')).trim(), 'own');
    con.close();
    await suite.d.ok('vm kill piv0');
    await suite.d.ok('vm flush');
  });

  test('/proc/bus, /proc/fs, /proc/irq, /proc/sys and /proc/sysrq-trigger are mounted read-only inside', async () => {
    const { con } = await started('ro0');
    const mounts = (await con.run('cat /proc/self/mountinfo')).split('\n').filter((l) => /^\d+ \d+ /.test(l));
    for (const path of ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']) {
      const hostHas = (() => {
        try {
          readlinkSync(path);
          return true;
        } catch (e) {
          return (e as NodeJS.ErrnoException).code !== 'ENOENT';
        }
      })();
      const line = mounts.filter((l) => l.split(' ')[4] === path).pop();
      if (!hostHas) {
        assert.equal(line, undefined, `${path} is absent on the host: nothing to mount`);
        continue;
      }
      assert.ok(line, `${path} is its own mount`);
      assert.match(line.split(' ')[5]!, /^ro(,|$)/, `${path} mount options: ${line}`);
    }
    assert.match(await con.run('echo 1 > /proc/sys/kernel/ns_last_pid 2>&1; echo rc=$?'), /Read-only file system[\s\S]*rc=1|rc=1/);
    con.close();
    await suite.d.ok('vm kill ro0');
    await suite.d.ok('vm flush');
  });

  test('a launch that fails after its NIC and cgroups exist is rolled back: ERROR with the reason, nothing left', async () => {
    const pre = snapshot();
    await suite.d.ok('vm config net RB');
    await suite.d.ok('vm config init /nonexistent');
    const r = await suite.d.exec('vm launch container rb0');
    await suite.d.ok('clear vm config net');
    await suite.d.ok('clear vm config init');
    assert.equal(r.errors.length, 1, JSON.stringify(r));
    assert.match(r.errors[0]!, /init `\/nonexistent`: No such file or directory/);
    const c = await info('rb0');
    assert.equal(c.state, 'ERROR');
    assert.match(c.tags.error ?? '', /init `\/nonexistent`/);
    assert.equal(c.pid, 0);
    // Its cgroups, veth, netns, monitor and mounts are gone (the daemon and its launcher stay).
    await assertNoLeaks(pre, { running: [suite.d.proc.pid!] });
    await suite.d.ok('vm flush');
  });

  test('a container in ERROR is relaunched by a named vm start (vm start all skips it)', async () => {
    // First run: init exits 3 → ERROR. The relaunch keeps the overlay, so the second run sees the
    // mark the first left and execs the real /init.
    writeFileSync(join(kit, 'init2'), 'if [ -e /root/second ]; then exec /init; fi\ntouch /root/second\nexit 3\n');
    await suite.d.ok(`vm config volume /kit ${kit}`);
    await suite.d.ok('vm config init /bin/busybox sh /kit/init2');
    await suite.d.ok('vm launch container er0');
    await suite.d.ok('clear vm config init');
    await suite.d.ok('clear vm config volume');
    await suite.d.ok('vm start er0');
    const failed = await until('er0 to be ERROR', async () => ((await info('er0')).state === 'ERROR' ? info('er0') : undefined));
    assert.equal(failed.tags.error, 'init exited with status 3');
    await suite.d.ok('vm start all');
    assert.equal((await info('er0')).state, 'ERROR', 'start all skips ERROR');
    await suite.d.ok('vm start er0');
    const again = await info('er0');
    assert.equal(again.state, 'RUNNING');
    assert.equal(again.tags.error, undefined, 'the old reason is cleared');
    assert.equal(again.dir, failed.dir, 'same instance directory');
    const con = await ConsoleClient.connect(again.console);
    assert.equal((await con.run('echo relaunched-$((40+2))')).trim(), 'relaunched-42');
    con.close();
    await suite.d.ok('vm kill er0');
    await suite.d.ok('vm flush');
  });

  test(`a new console client gets exactly the last ${SCROLLBACK_BYTES / 1024} KiB of output`, async () => {
    const { c, con } = await started('sb0');
    // ~400 KB of numbered ASCII lines: more than the scrollback holds.
    await con.run('i=0; while [ $i -lt 5000 ]; do echo "line-$i-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij"; i=$((i+1)); done', 60_000);
    const seen = Buffer.from(con.output, 'utf8');
    assert.ok(seen.length > SCROLLBACK_BYTES + 100_000, `the first client saw ${seen.length} bytes`);
    const chunks: Buffer[] = [];
    const sock = connect(c.console);
    sock.on('data', (d: Buffer) => chunks.push(d));
    const replay = () => Buffer.concat(chunks);
    const tail = () => Buffer.from(con.output, 'utf8').subarray(-64);
    await until('the replay to catch up with the live output', () => replay().length >= SCROLLBACK_BYTES && replay().subarray(-64).equals(tail()));
    const all = Buffer.from(con.output, 'utf8');
    assert.equal(replay().length, SCROLLBACK_BYTES, 'the replay is the whole ring');
    assert.ok(replay().equals(all.subarray(-SCROLLBACK_BYTES)), 'and it is the last bytes of the output');
    assert.ok(!replay().includes('line-0-'), 'the start has been overwritten');
    assert.ok(replay().includes('line-4999-'));
    sock.destroy();
    con.close();
    await suite.d.ok('vm kill sb0');
    await suite.d.ok('vm flush');
  });
});
