// The known escapes through `exec` of other runtimes, tried against `vm exec` from inside real
// containers (security-and-reliability.md): the entering process's /proc/self/exe or a leaked fd
// reaching the host (runc CVE-2019-5736, CVE-2024-21626), ptrace of it by the container before it
// dropped privileges, symlinks in the container redirecting the working directory or a file
// transfer to the host. A `put` blocked on its stdin is the entering process caught before it ever
// execs: it is inspected from inside a container that holds CAP_SYS_PTRACE (the strongest attacker
// a config can make) and from one that does not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ContainerInfo } from '../../engine/api/types.js';
import { ShimExec } from '../../engine/shim/exec-client.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const SHIM = fileURLToPath(new URL('../../../shim/build/nanomega-shim', import.meta.url));
const STATUS = /^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):.*$/gm;

describe('exec escapes', { skip }, () => {
  const s = useContainerSuite();
  const c: Record<string, ContainerInfo> = {};
  let hostile = '';

  /** A process started in `name` that blocks before running any container code of its own. */
  async function held(name: string, spec: Parameters<typeof ShimExec.start>[1]) {
    let pids: { hostPid: number; pid: number } | undefined;
    let out = '';
    const x = await ShimExec.start(c[name]!.dir, spec, { started: (p) => (pids = p), stdout: (b) => (out += b), stderr: (b) => (out += b) });
    await until('STARTED', () => pids);
    return { x, ...pids!, output: () => out };
  }
  const sh = async (name: string, script: string) => (await s.d.client.call('vm.exec', name, ['sh', '-c', script]))[0]!;

  test('launch a container with CAP_SYS_PTRACE and one without', async () => {
    hostile = mkdtempSync(join(tmpdir(), 'nm-hostile-'));
    writeFileSync(join(hostile, 'victim'), 'host secret\n');
    mkdirSync(join(hostile, 'dir'));
    await s.d.ok('vm config caps SYS_PTRACE');
    await s.d.ok('vm launch container tracer');
    await s.d.ok('clear vm config caps');
    await s.d.ok('vm launch container plain');
    await s.d.ok('vm start all');
    for (const x of await s.d.client.call('vm.info')) c[x.name] = x;
  });

  test('before it runs anything, the entering process is confined, holds fds 0-2 only and its exe is a sealed copy', async () => {
    const p = await held('tracer', { put: '/tmp/held' });
    const shim = statSync(SHIM);
    // Seen from inside, by a process allowed to ptrace.
    const status = await sh('tracer', `cat /proc/${p.pid}/status`);
    assert.deepEqual(status.stdout.match(STATUS), readFileSync(`/proc/${c.tracer!.pid}/status`, 'utf8').match(STATUS));
    // 0-2, and the one file it writes (inside the container); no directory, nothing of the host.
    const fds = (await sh('tracer', `cd /proc/${p.pid}/fd && for f in *; do echo "$f $(readlink $f)"; done`)).stdout.trim().split('\n');
    assert.deepEqual(fds.map((l) => l.split(' ')[0]).slice(0, 3), ['0', '1', '2']);
    assert.deepEqual(
      fds.slice(3).map((l) => l.split(' ')[1]),
      ['/tmp/held'],
    );
    assert.equal((await sh('tracer', `readlink /proc/${p.pid}/cwd; readlink /proc/${p.pid}/root`)).stdout, '/\n/\n');
    const exe = await sh('tracer', `readlink /proc/${p.pid}/exe; stat -L -c '%d %i' /proc/${p.pid}/exe`);
    const [link, devIno] = exe.stdout.trim().split('\n');
    assert.match(link!, /^\/memfd:/);
    assert.notEqual(devIno, `${shim.dev} ${shim.ino}`, 'the host shim binary is reachable through /proc/<pid>/exe');
    const write = await sh('tracer', `echo pwned >> /proc/${p.pid}/exe`);
    assert.notEqual(write.code, 0, 'the exe of the entering process is writable');
    // Seen from the host: not the shim binary, and a memfd sealed against writes, growth and
    // shrinking, the seals themselves sealed (F_GET_SEALS = 1034: SEAL|SHRINK|GROW|WRITE = 15).
    assert.notEqual(statSync(`/proc/${p.hostPid}/exe`).ino, shim.ino);
    const seals = execFileSync('python3', ['-c', `import fcntl,os; print(fcntl.fcntl(os.open('/proc/${p.hostPid}/exe', os.O_RDONLY), 1034))`], {
      encoding: 'utf8',
    });
    assert.equal(Number(seals) & 15, 15);
    p.x.end();
    assert.deepEqual(await p.x.exit, { code: 0 });
  });

  test('a container without CAP_SYS_PTRACE cannot look into it at all (not dumpable)', async () => {
    const p = await held('plain', { put: '/tmp/held' });
    for (const what of ['fd', 'environ', 'exe', 'cwd', 'mem']) {
      const r = await sh('plain', `ls -l /proc/${p.pid}/${what} > /dev/null && cat /proc/${p.pid}/${what} > /dev/null`);
      assert.notEqual(r.code, 0, `/proc/<pid>/${what} readable`);
      assert.match(r.stderr, /denied|not permitted/i, what);
    }
    p.x.end();
    assert.deepEqual(await p.x.exit, { code: 0 });
  });

  test('a command that is a `#!/proc/self/exe` script gets the sealed copy, never the host binary', async () => {
    await sh('tracer', "printf '#!/proc/self/exe --launcher\\n' > /evil && chmod 755 /evil");
    const p = await held('tracer', { argv: ['/evil'] });
    const shim = statSync(SHIM);
    await until('the script ran its interpreter', () => statSync(`/proc/${p.hostPid}/exe`).ino !== statSync('/bin/busybox').ino);
    assert.notEqual(statSync(`/proc/${p.hostPid}/exe`).ino, shim.ino);
    const r = await sh('tracer', `stat -L -c '%d %i' /proc/${p.pid}/exe; echo pwned >> /proc/${p.pid}/exe`);
    assert.notEqual(r.stdout.trim(), `${shim.dev} ${shim.ino}`);
    assert.notEqual(r.code, 0);
    p.x.end();
    await p.x.exit;
    assert.equal(statSync(SHIM).size, shim.size);
  });

  test('put and get never follow a symlink out of the container, nor open a device', async () => {
    const run = async (spec: Parameters<typeof ShimExec.start>[1], input?: string) => {
      let out = '';
      let err = '';
      const x = await ShimExec.start(c.plain!.dir, spec, { stdout: (b) => (out += b), stderr: (b) => (err += b) });
      if (input !== undefined) await x.write(input);
      x.end();
      return { ...(await x.exit), out, err };
    };
    await sh('plain', `ln -s ${hostile}/victim /tmp/victim; ln -s ${hostile}/dir /tmp/dir; ln -s /proc/self/root/etc/passwd /tmp/magic; mknod /tmp/disk b 8 0`);
    // Absolute symlink targets resolve inside the container, where the host path does not exist.
    const put = await run({ put: '/tmp/victim' }, 'overwritten\n');
    assert.notEqual(put.code, 0);
    assert.equal(readFileSync(join(hostile, 'victim'), 'utf8'), 'host secret\n');
    const get = await run({ get: '/tmp/victim' });
    assert.notEqual(get.code, 0);
    assert.doesNotMatch(get.out, /host secret/);
    // A dangling directory symlink is no directory to create files in (as mkdir -p says)...
    assert.notEqual((await run({ put: '/tmp/dir/new' }, 'inside\n')).code, 0);
    assert.equal(existsSync(join(hostile, 'dir', 'new')), false);
    // ...and once the container has that path, the file lands in the container's copy.
    await sh('plain', `mkdir -p ${hostile}/dir`);
    assert.equal((await run({ put: '/tmp/dir/new' }, 'inside\n')).code, 0);
    assert.equal(existsSync(join(hostile, 'dir', 'new')), false);
    assert.equal((await sh('plain', `cat ${hostile}/dir/new`)).stdout, 'inside\n');
    // No magic links, no device nodes (whatever the device policy would say).
    assert.match((await run({ get: '/tmp/magic' })).err, /Too many levels of symbolic links|ELOOP/);
    assert.match((await run({ get: '/tmp/disk' })).err, /Invalid argument|Operation not permitted/);
    assert.match((await run({ put: '/tmp/disk' }, 'x')).err, /Invalid argument|Operation not permitted/);
    rmSync(hostile, { recursive: true, force: true });
  });
});
