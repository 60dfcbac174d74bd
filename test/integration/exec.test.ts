// `vm exec` / `nanomega exec`: a command inside a running container joins every namespace and
// cgroup of its init, gets init's confinement and fds 0-2 only; stdio, exit status and a pty work
// end to end through the daemon; containers that do not run give a clear error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ShimExec } from '../../engine/shim/exec-client.js';
import { FrameReader, ShimMsg, decodeError, encodeExecStart, encodeFrame } from '../../engine/shim/protocol.js';
import { BIN } from '../helpers/daemon.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const NAMESPACES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'uts'];

describe('vm exec', { skip }, () => {
  const s = useContainerSuite();
  let c: ContainerInfo;

  const info = async (name: string) => (await s.d.client.call('vm.info')).find((x) => x.name === name)!;

  test('launch and start the containers', async () => {
    await s.d.ok('vm launch container ex0,ex1,ex2');
    await s.d.ok('vm start ex0,ex1');
    c = await info('ex0');
    assert.equal(c.state, 'RUNNING');
  });

  test("runs in every namespace of the container's init", async () => {
    const script = NAMESPACES.map((n) => `readlink /proc/self/ns/${n}`).join('; ');
    const out = (await s.d.ok(`vm exec ex0 sh -c "${script}"`)).trim().split('\n');
    assert.deepEqual(
      out,
      NAMESPACES.map((n) => readlinkSync(`/proc/${c.pid}/ns/${n}`)),
    );
    assert.notDeepEqual(
      out,
      NAMESPACES.map((n) => readlinkSync(`/proc/self/ns/${n}`)),
    );
    assert.equal((await s.d.ok('vm exec ex0 hostname')).trim(), 'ex0');
    // The container's root and its own /proc: init is pid 1 there, the command a later pid.
    assert.match(await s.d.ok('vm exec ex0 cat /proc/1/cmdline'), /init/);
    assert.notEqual((await s.d.ok('vm exec ex0 sh -c "echo $$"')).trim(), '1');
    assert.equal((await s.d.ok('vm exec ex0 cat /proc/self/cgroup')).trim().split('\n').pop(), '0::/');
  });

  test("has init's capabilities, no_new_privs and seccomp filter", async () => {
    const fields = /^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):.*$/gm;
    const mine = (await s.d.ok('vm exec ex0 cat /proc/self/status')).match(fields);
    const init = readFileSync(`/proc/${c.pid}/status`, 'utf8').match(fields);
    assert.ok(mine && mine.length === 7, `status fields: ${mine}`);
    assert.deepEqual(mine, init);
    assert.ok(mine.includes('NoNewPrivs:\t1') && mine.includes('Seccomp:\t2'));
  });

  test("is in init's cgroups with fds 0-2 only, and not dumpable before it execs", async () => {
    let pids: { hostPid: number; pid: number } | undefined;
    const x = await ShimExec.start(c.dir, { argv: ['sleep', '1000'] }, { started: (p) => (pids = p) });
    await until('STARTED', () => pids);
    const hostPid = pids!.hostPid;
    await until('sleep exec', () => readlinkSync(`/proc/${hostPid}/exe`).endsWith('/sleep') || readlinkSync(`/proc/${hostPid}/exe`).endsWith('busybox'));
    assert.equal(readFileSync(`/proc/${hostPid}/cgroup`, 'utf8'), readFileSync(`/proc/${c.pid}/cgroup`, 'utf8'));
    assert.deepEqual(readdirSync(`/proc/${hostPid}/fd`).sort(), ['0', '1', '2']);
    assert.equal(Number(/^NSpid:\s+\d+\s+(\d+)$/m.exec(readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1]), pids!.pid);
    x.signal(15);
    assert.deepEqual(await x.exit, { signal: 15 });
  });

  test('stdin, stdout, stderr and the exit status through nanomega exec', () => {
    const r = spawnSync(process.execPath, [BIN, '--base', s.d.base, 'exec', 'ex1', '--', 'sh', '-c', 'wc -c; echo oops >&2; exit 7'], {
      input: Buffer.alloc(2_500_000, 120),
    });
    assert.equal(r.stdout.toString().trim(), '2500000');
    assert.equal(r.stderr.toString(), 'oops\n');
    assert.equal(r.status, 7);
    const killed = spawnSync(process.execPath, [BIN, '--base', s.d.base, 'exec', 'ex1', 'sh', '-c', 'kill -9 $$'], {});
    assert.equal(killed.status, 128 + 9);
    const missing = spawnSync(process.execPath, [BIN, '--base', s.d.base, 'exec', 'ex1', '--', 'no-such-cmd'], {});
    assert.equal(missing.status, 127, `status ${missing.status}, stderr ${JSON.stringify(missing.stderr.toString())}`);
    assert.match(missing.stderr.toString(), /exec `no-such-cmd`: No such file or directory/);
  });

  test("a client may still write after its session's last frame: the monitor reads until the client closes", async () => {
    // The daemon writes stdin's end and signals without waiting for replies, so a write may follow
    // the monitor's last frame. Here it follows for certain: the frame and the monitor's EOF are read
    // first. A monitor that closed the socket at once fails that write (EPIPE); one that shut down
    // its side takes it, and closes when the client does.
    // Half-open: the client's side stays writable after the monitor's EOF.
    const sock = connect({ path: join((await info('ex1')).dir, 'exec'), allowHalfOpen: true });
    sock.on('error', () => undefined); // the write's callback and 'close' report it
    const reader = new FrameReader();
    const frames: number[] = [];
    let error = '';
    sock.on('data', (b: Buffer) =>
      reader.push(b).forEach((f) => {
        frames.push(f.type);
        if (f.type === ShimMsg.ERROR) error = decodeError(f.payload).message;
      }),
    );
    const ended = new Promise<void>((r) => sock.once('end', r));
    const closed = new Promise<boolean>((r) => sock.once('close', r));
    await new Promise<void>((r) => sock.once('connect', r));
    sock.write(encodeFrame(ShimMsg.EXEC_START, encodeExecStart({ argv: ['no-such-cmd'] })));
    await ended;
    assert.deepEqual(frames, [ShimMsg.ERROR]);
    assert.match(error, /exec `no-such-cmd`: No such file or directory/);
    const written = await new Promise<Error | null | undefined>((r) => sock.write(encodeFrame(ShimMsg.EXEC_STDIN), r));
    assert.equal(written ?? null, null, `write after the last frame: ${written?.message}`);
    sock.end();
    assert.equal(await closed, false, 'closed without an error');
  });

  test("-t: a pty of the container's own devpts, sized as asked", async () => {
    let out = '';
    const x = await ShimExec.start(
      c.dir,
      { argv: ['sh', '-c', 'tty; stty size'], tty: true, cols: 101, rows: 33, stdin: false },
      { stdout: (b) => (out += b) },
    );
    assert.deepEqual(await x.exit, { code: 0 });
    assert.match(out, /^\/dev\/pts\/\d+\r\n33 101\r\n$/);
  });

  test('large output keeps its order and size', async () => {
    const r = await s.d.client.call('vm.exec', 'ex0', ['sh', '-c', 'seq 1 200000']);
    assert.equal(r[0]!.code, 0);
    const lines = r[0]!.stdout.trim().split('\n');
    assert.equal(lines.length, 200000);
    assert.equal(lines[199999], '200000');
  });

  test('the working directory is resolved inside the root', async () => {
    const run = async (cwd: string) => (await s.d.client.call('vm.exec', 'ex0', ['pwd'], { cwd }))[0]!;
    assert.equal((await run('/tmp')).stdout, '/tmp\n');
    assert.equal((await run('/../../../..')).stdout, '/\n');
    await s.d.ok('vm exec ex0 ln -s / /tmp/up');
    await s.d.ok('vm exec ex0 ln -s ../../../../../etc /tmp/dotdot');
    assert.equal((await run('/tmp/up')).stdout, '/\n');
    // Walks up to the container's root, never the host's: its /etc is the busybox root's.
    const etc = await s.d.client.call('vm.exec', 'ex0', ['ls'], { cwd: '/tmp/dotdot' });
    assert.deepEqual(etc[0]!.stdout.trim().split('\n').sort(), readdirSync(`${s.fs.dir}/etc`).sort());
    for (const magic of ['/proc/self/root', '/proc/1/cwd', '/proc/self/fd/0']) {
      assert.match((await run(magic)).error ?? '', /working directory/, magic);
    }
  });

  test('containers that do not run give a clear error', async () => {
    assert.match((await s.d.exec('vm exec ex2 true')).errors.join(), /ex2: the container is BUILDING, not RUNNING/);
    await s.d.ok('vm stop ex1');
    assert.match((await s.d.exec('vm exec ex1 true')).errors.join(), /ex1: the container is PAUSED, not RUNNING/);
    await s.d.ok('vm kill ex1');
    await until('ex1 QUIT', async () => (await info('ex1')).state === 'QUIT');
    assert.match((await s.d.exec('vm exec ex1 true')).errors.join(), /ex1: the container is QUIT, not RUNNING/);
    assert.match((await s.d.exec('vm exec nosuch true')).errors.join(), /vm not found: nosuch/);
    // `all` skips what does not run.
    assert.equal((await s.d.ok('vm exec all hostname')).trim(), 'ex0');
    assert.match((await s.d.exec('vm exec ex0')).errors.join(), /invalid command: `vm exec ex0`/);
    const r = spawnSync(process.execPath, [BIN, '--base', s.d.base, 'exec', 'ex2', '--', 'true'], {});
    assert.equal(r.status, 1);
    assert.match(r.stderr.toString(), /the container is BUILDING, not RUNNING/);
  });
});
