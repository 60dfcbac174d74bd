import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { BRIDGE_NETFILTER_TABLES, bridgeNetfilterSysctl, doctor, renderDoctor, SYSCTLS, sysctlPath } from '../../../../engine/doctor/doctor.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';

const BIN = fileURLToPath(new URL('../../../../../bin/nanomega.js', import.meta.url));

function hostWith(values: Record<string, number>): FakeHost {
  const files = new Map<string, string>();
  for (const c of SYSCTLS) files.set(sysctlPath(c.name), `${values[c.name] ?? c.want}\n`);
  files.set('/proc/filesystems', 'nodev\tproc\n\toverlay\n');
  files.set('/proc/self/mountinfo', '31 30 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n');
  files.set('/proc/sys/kernel/osrelease', '6.1.0-13-amd64\n');
  files.set('/proc/self/limits', 'Max open files            1048576              1048576              files\n');
  return new FakeHost(files);
}

test('a sysctl below what the target scale needs is reported low and left alone without --fix', async () => {
  const host = hostWith({ 'kernel.pty.max': 4096 });
  const rows = await doctor(host);
  const pty = rows.find((r) => r.check === 'kernel.pty.max')!;
  assert.equal(pty.status, 'low');
  assert.equal(pty.value, '4096');
  assert.equal(host.calls.filter((c) => c.op === 'writeFile').length, 0);
  assert.ok(rows.filter((r) => r.check !== 'kernel.pty.max').every((r) => r.status !== 'low'));
});

test('--fix raises exactly the low sysctls to the wanted value and never lowers one', async () => {
  const host = hostWith({ 'kernel.pid_max': 32768, 'fs.inotify.max_user_instances': 128, 'fs.file-max': 9_999_999 });
  const rows = await doctor(host, { fix: true });
  const writes = host.calls.filter((c) => c.op === 'writeFile') as { path: string; data: string }[];
  assert.deepEqual(writes.map((w) => [w.path, w.data]).sort(), [
    ['/proc/sys/fs/inotify/max_user_instances', '8192'],
    ['/proc/sys/kernel/pid_max', '4194304'],
  ]);
  assert.equal(rows.find((r) => r.check === 'kernel.pid_max')!.status, 'fixed');
  assert.equal(rows.find((r) => r.check === 'fs.file-max')!.status, 'ok');
});

test('a sysctl this kernel lacks is reported missing, not a crash', async () => {
  const host = hostWith({});
  host.files.delete(sysctlPath('net.ipv6.neigh.default.gc_thresh3'));
  const rows = await doctor(host, { fix: true });
  assert.equal(rows.find((r) => r.check === 'net.ipv6.neigh.default.gc_thresh3')!.status, 'missing');
});

test('a low RLIMIT_NOFILE and a missing overlayfs are reported', async () => {
  const host = hostWith({});
  host.files.set('/proc/self/limits', 'Max open files            1024                 4096                 files\n');
  host.files.set('/proc/filesystems', 'nodev\tproc\n');
  const rows = await doctor(host);
  assert.equal(rows.find((r) => r.check === 'RLIMIT_NOFILE (soft)')!.status, 'low');
  assert.equal(rows.find((r) => r.check === 'overlayfs')!.status, 'fail');
  assert.match(renderDoctor(rows), /^check +\| value/);
});

test('bridge netfilter: reported when any of its sysctls is on, ok when all are off, absent without the module; never written', async () => {
  const host = hostWith({});
  host.runResult = () => ({ code: 0, stdout: '-P FORWARD ACCEPT\n', stderr: '' });
  assert.equal(
    (await doctor(host)).find((r) => r.check === 'bridge netfilter'),
    undefined,
  );
  for (const t of BRIDGE_NETFILTER_TABLES) host.files.set(sysctlPath(bridgeNetfilterSysctl(t)), '0\n');
  assert.equal((await doctor(host)).find((r) => r.check === 'bridge netfilter')!.status, 'ok');
  host.files.set(sysctlPath(bridgeNetfilterSysctl('ip6tables')), '1\n');
  const row = (await doctor(host, { fix: true })).find((r) => r.check === 'bridge netfilter')!;
  assert.equal(row.status, 'info');
  assert.equal(row.value, 'on: ip6tables');
  assert.match(row.note, /FORWARD/);
  assert.equal(host.calls.filter((c) => c.op === 'writeFile' && (c as { path: string }).path.includes('bridge')).length, 0);
});

test('bridge netfilter with a FORWARD policy that drops (as Docker sets) fails, naming the table and what to do', async () => {
  const host = hostWith({});
  for (const t of BRIDGE_NETFILTER_TABLES) host.files.set(sysctlPath(bridgeNetfilterSysctl(t)), '1\n');
  host.runResult = (argv) => ({ code: 0, stdout: argv[0] === 'iptables' ? '-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n' : '-P FORWARD ACCEPT\n', stderr: '' });
  const row = (await doctor(host)).find((r) => r.check === 'bridge netfilter')!;
  assert.equal(row.status, 'fail');
  assert.equal(row.value, 'on: iptables, ip6tables, arptables; iptables FORWARD policy DROP');
  assert.match(row.note, /physdev-is-bridged/);
  // The advised rule, in Docker's chain: accepted, so reported, not failed.
  host.runResult = (argv) => ({
    code: 0,
    stdout:
      argv[0] === 'iptables'
        ? '-P FORWARD DROP\n-N DOCKER-USER\n-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -m physdev --physdev-is-bridged -j ACCEPT\n'
        : '-P FORWARD ACCEPT\n',
    stderr: '',
  });
  assert.equal((await doctor(host)).find((r) => r.check === 'bridge netfilter')!.status, 'info');
  // Without the tools, the policy is unknown: reported, not failed.
  host.runResult = () => ({ code: 127, stdout: '', stderr: 'not found' });
  assert.equal((await doctor(host)).find((r) => r.check === 'bridge netfilter')!.status, 'info');
});

test('nanomega doctor reads this host and exits 0 or 1 by what it finds', () => {
  const r = spawnSync(process.execPath, [BIN, 'doctor'], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  assert.match(r.stdout, /^kernel\.pty\.max +\| \d+/m);
  if (r.status === 1) assert.match(r.stdout, /below what \d+ containers need|\d+ failed: see their notes/);
});
