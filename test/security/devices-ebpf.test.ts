// The eBPF device filter (security-and-reliability.md item 5, the cgroup v2 half). On a pure v2
// host the shim attaches a BPF_CGROUP_DEVICE program implementing DEVICE_ALLOW to the container's
// cgroup2 directory. This hybrid test host has a v1 devices controller too, so the daemon is
// started with NANOMEGA_DEVICE_FILTER=ebpf: the engine writes no devices.allow (the v1 cgroup
// stays `a *:* rwm`) and every denial seen inside the container is the eBPF program's.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEVICE_ALLOW, DEVICE_TUN } from '../../engine/cgroup/limits.js';
import { EngineError } from '../../engine/errors.js';
import { ShimLaunch } from '../../engine/shim/shim-process.js';
import type { TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { gone } from '../helpers/wait.js';
import { hostDisk, initPid, startDaemonWithDeviceFilter, v1DevicesList } from './devcgroup.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const EBPF_C = fileURLToPath(new URL('../../../shim/src/ebpf.c', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs as the container's init: one PASS/FAIL line per check into /kit/results-MODE, then DONE,
 * then sleeps so the host can look at the container's cgroups while it is alive.
 */
const SCRIPT = `B=/bin/busybox
MODE=$1
DISK=$2
OUT=/kit/results-$MODE
: > "$OUT"
say() { echo "$*" >> "$OUT"; }
ok() { n=$1; shift; if "$@" > /tmp/o 2>&1; then say "PASS $n"; else say "FAIL $n: $($B head -c 200 /tmp/o)"; fi; }
eperm() {
  n=$1; shift
  if "$@" > /tmp/o 2>&1; then say "FAIL $n: succeeded"
  elif $B grep -q 'Operation not permitted' /tmp/o; then say "PASS $n"
  else say "FAIL $n: $($B head -c 200 /tmp/o)"; fi
}
# mknod of any node is allowed (c *:* m, b *:* m); opening one outside the list is not
ok mknod-tmp-disk $B mknod /tmp/sda b "\${DISK%:*}" "\${DISK#*:}"
eperm read-tmp-disk $B cat /tmp/sda
eperm write-tmp-disk $B sh -c ': >> /tmp/sda'
ok mknod-mem $B mknod /dev/mem c 1 1
eperm read-mem $B head -c 1 /dev/mem
ok mknod-kmsg $B mknod /dev/kmsg c 1 11
eperm read-kmsg $B head -c 1 /dev/kmsg
ok mknod-tty0 $B mknod /dev/tty0 c 4 0
eperm open-tty0 $B sh -c ': < /dev/tty0'
ok mknod-tty1 $B mknod /dev/tty1 c 4 1
eperm open-tty1 $B sh -c ': < /dev/tty1'
ok mknod-console-host $B mknod /tmp/console c 5 1
eperm open-console-host $B sh -c ': < /tmp/console'
eperm write-console-host $B sh -c 'echo x > /tmp/console'
ok mknod-ttyS0 $B mknod /dev/ttyS0 c 4 64
eperm open-ttyS0 $B sh -c ': < /dev/ttyS0'
# the standard nodes are usable
ok null-write $B sh -c 'echo x > /dev/null'
ok null-read $B cat /dev/null
ok zero-read $B sh -c '[ "$(/bin/busybox head -c 4 /dev/zero | /bin/busybox wc -c)" = 4 ]'
ok full-open $B sh -c ': < /dev/full'
ok random-read $B sh -c '[ "$(/bin/busybox head -c 16 /dev/random | /bin/busybox wc -c)" = 16 ]'
ok urandom-read $B sh -c '[ "$(/bin/busybox head -c 16 /dev/urandom | /bin/busybox wc -c)" = 16 ]'
ok tty-write $B sh -c 'echo tty-ok > /dev/tty'
ok console-open $B sh -c ': < /dev/console'
ok ptmx-open $B sh -c ': < /dev/ptmx'
ok mknod-null-copy $B mknod /tmp/null2 c 1 3
ok null-copy-write $B sh -c 'echo x > /tmp/null2'
if [ "$MODE" = tun ]; then
  ok tun-present $B test -c /dev/net/tun
  ok tun-open $B sh -c ': < /dev/net/tun'
else
  ok tun-absent $B sh -c '[ ! -e /dev/net/tun ]'
  ok mknod-tun $B mknod /tmp/tun c 10 200
  eperm open-tun $B sh -c ': < /tmp/tun'
fi
say DONE
exec $B sleep 600
`;

/** The C table between `=` and `};` after NAME, as a list of its string literals. */
function cStrings(src: string, name: string): string[] {
  const at = src.indexOf(name);
  assert.ok(at >= 0, `${name} not in ebpf.c`);
  const body = src.slice(src.indexOf('=', at), src.indexOf(';', at));
  return [...body.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
}

test('the eBPF filter allowlist in shim/src/ebpf.c is DEVICE_ALLOW (+ DEVICE_TUN) exactly', () => {
  const src = readFileSync(EBPF_C, 'utf8');
  assert.deepEqual(cStrings(src, 'shim_device_allow[] ='), [...DEVICE_ALLOW]);
  assert.deepEqual(cStrings(src, 'shim_device_tun[] ='), [DEVICE_TUN]);
});

describe('eBPF device filter through the daemon (NANOMEGA_DEVICE_FILTER=ebpf)', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let kit = '';
  let pre: HostSnapshot;
  const disk = hostDisk();

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    kit = mkdtempSync(join(tmpdir(), 'nm-devkit-'));
    writeFileSync(join(kit, 'dev.sh'), SCRIPT);
    d = await startDaemonWithDeviceFilter('ebpf');
  });

  after(async () => {
    await d?.dispose();
    await fs?.remove();
    if (kit) rmSync(kit, { recursive: true, force: true });
    await assertNoLeaks(pre);
  });

  for (const mode of ['notun', 'tun'] as const) {
    test(`inside the container only the allowlist opens (${mode})`, async () => {
      const name = `dev-${mode}`;
      await d.ok('clear vm config');
      await d.ok(`vm config filesystem ${fs.dir}`);
      await d.ok('vm config snapshot true');
      await d.ok(`vm config volume /kit ${kit}`);
      await d.ok(`vm config init /bin/busybox sh /kit/dev.sh ${mode} ${disk}`);
      if (mode === 'tun') await d.ok('vm config tun true');
      await d.ok(`vm launch container ${name}`);

      // Built and frozen before exec: it already sits in its cgroups. The v1 devices cgroup allows
      // everything, so whatever is refused below is refused by the eBPF program.
      const pid = await initPid(d, name);
      assert.ok(pid > 0, 'init has a pid while BUILDING');
      const list = v1DevicesList(pid);
      if (list !== undefined) assert.equal(list, 'a *:* rwm', 'the v1 devices cgroup is not restricting');

      await d.ok(`vm start ${name}`);
      const out = join(kit, `results-${mode}`);
      const end = Date.now() + 30_000;
      let lines: string[] = [];
      for (;;) {
        lines = readFileSync(out, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean);
        if (lines.includes('DONE')) break;
        const info = (await d.client.call('vm.info')).find((x) => x.name === name);
        assert.equal(info?.state, 'RUNNING', `container ended early: ${info?.tags.error ?? ''}\n${lines.join('\n')}`);
        assert.ok(Date.now() < end, `no DONE after 30 s:\n${lines.join('\n')}`);
        await sleep(100);
      }
      for (const l of lines) console.log(`# [${mode}] ${l}`);
      assert.deepEqual(
        lines.filter((l) => l.startsWith('FAIL')),
        [],
        'every device check passes',
      );
      assert.ok(lines.filter((l) => l.startsWith('PASS')).length >= 29, 'the checks ran');
      // Still unrestricted on v1 while running (nothing wrote devices.deny behind our back).
      if (list !== undefined) assert.equal(v1DevicesList(pid), 'a *:* rwm');

      await d.ok(`vm kill ${name}`);
      await d.ok('vm flush');
    });
  }
});

describe('eBPF device filter failures are launch errors', { skip }, () => {
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let base = '';
  let pre: HostSnapshot | undefined;

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    base = mkdtempSync(join(tmpdir(), 'nm-devfail-'));
  });
  after(async () => {
    await fs?.remove();
    if (base) rmSync(base, { recursive: true, force: true });
    if (pre) await assertNoLeaks(pre);
  });

  test('a devcgroup that is not a cgroup2 directory fails the launch with E_SHIM', async () => {
    const l = ShimLaunch.spawn({
      id: 1,
      name: 'devfail',
      dir: base,
      rootfs: fs.dir,
      snapshot: false,
      hostname: 'devfail',
      uuid: '2a0c6b3e-0000-4000-8000-000000000001',
      init: ['/bin/busybox', 'true'],
      env: ['PATH=/bin'],
      preinit: '',
      fifos: 0,
      volumes: [],
      cgroups: [],
      caps: [],
      devcgroup: base,
      cols: 80,
      rows: 24,
      scrollback: 65536,
    });
    const { monitorPid } = await l.pids();
    const e = await l.mounted().then(
      () => assert.fail('expected an ERROR'),
      (e: unknown) => e,
    );
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, 'E_SHIM');
    assert.equal(e.message, `device cgroup \`${base}\` is not a cgroup2 directory`);
    await gone(monitorPid);
    l.release();
  });
});
