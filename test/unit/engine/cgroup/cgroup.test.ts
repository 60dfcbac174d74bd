import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerCgroups, prepareEngineParents } from '../../../../engine/cgroup/cgroup.js';
import { controllerHome, parseCgroupMounts, type CgroupLayout } from '../../../../engine/cgroup/layout.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';

const HYBRID = `
24 1 0:22 / /sys rw - sysfs sysfs rw
30 24 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755
31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
33 30 0:29 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
34 30 0:30 / /sys/fs/cgroup/freezer rw - cgroup cgroup rw,freezer
35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
36 30 0:32 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids
37 30 0:33 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices
`;
const PURE_V2 = `31 30 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n`;

function hybrid(): CgroupLayout {
  return { ...parseCgroupMounts(HYBRID), v2Controllers: new Set() };
}
/** Every controller on v1, no cgroup2 mount. */
function pureV1(): CgroupLayout {
  return { ...parseCgroupMounts(HYBRID.replace(/^.*cgroup2.*$/m, '')), v2Controllers: new Set() };
}
function pureV2(): CgroupLayout {
  return { ...parseCgroupMounts(PURE_V2), v2Controllers: new Set(['cpu', 'memory', 'pids', 'io']) };
}

test('mountinfo parsing finds the unified mount and every v1 controller, co-mounted ones sharing a path', () => {
  const l = parseCgroupMounts(HYBRID);
  assert.equal(l.unified, '/sys/fs/cgroup/unified');
  assert.equal(l.v1.memory, '/sys/fs/cgroup/memory');
  assert.equal(l.v1.cpu, '/sys/fs/cgroup/cpu,cpuacct');
  assert.equal(l.v1.cpuacct, '/sys/fs/cgroup/cpu,cpuacct');
  assert.deepEqual(parseCgroupMounts(PURE_V2), { unified: '/sys/fs/cgroup', v1: {} });
});

test('a controller enabled on the unified root is driven through v2, otherwise through its v1 mount', () => {
  assert.equal(controllerHome(hybrid(), 'memory'), 'v1');
  assert.equal(controllerHome(pureV2(), 'memory'), 'v2');
  assert.equal(controllerHome(pureV2(), 'cpuacct'), 'v2');
  assert.equal(controllerHome(pureV2(), 'freezer'), undefined);
});

test('pure v2: one directory, limits in memory.max, cpu.max and pids.max', async () => {
  const host = new FakeHost();
  const cg = new ContainerCgroups(host, { layout: pureV2() }, 'nmx-3');
  assert.deepEqual(cg.dirs(), ['/sys/fs/cgroup/nanomega/nmx-3']);
  for (const f of ['memory.max', 'cpu.max', 'pids.max']) host.files.set(`/sys/fs/cgroup/nanomega/nmx-3/${f}`, 'max');
  await cg.create({ memoryBytes: 64 << 20, vcpus: 2, pids: 4096 });
  assert.deepEqual(
    host.calls.filter((c) => c.op === 'writeFile'),
    [
      { op: 'writeFile', path: '/sys/fs/cgroup/nanomega/nmx-3/memory.max', data: String(64 << 20) },
      { op: 'writeFile', path: '/sys/fs/cgroup/nanomega/nmx-3/cpu.max', data: '200000 100000' },
      { op: 'writeFile', path: '/sys/fs/cgroup/nanomega/nmx-3/pids.max', data: '4096' },
    ],
  );
});

test('pure v2: the engine parent delegates memory, cpu and pids, enabling them at the root only if missing', async () => {
  const host = new FakeHost(
    new Map([
      ['/sys/fs/cgroup/cgroup.subtree_control', 'cpu memory'],
      ['/sys/fs/cgroup/nanomega/cgroup.subtree_control', ''],
    ]),
  );
  await prepareEngineParents(host, pureV2());
  const writes = host.calls.filter((c) => c.op === 'writeFile');
  assert.deepEqual(writes, [
    { op: 'writeFile', path: '/sys/fs/cgroup/cgroup.subtree_control', data: '+pids' },
    { op: 'writeFile', path: '/sys/fs/cgroup/nanomega/cgroup.subtree_control', data: '+memory +cpu +pids' },
  ]);
});

test('hybrid: v1 limits, the devices allowlist, and a v2 directory for freeze/kill/cgroupns', async () => {
  const host = new FakeHost();
  const cg = new ContainerCgroups(host, { layout: hybrid() }, 'nmx-1');
  const files = [
    '/sys/fs/cgroup/memory/nanomega/nmx-1/memory.limit_in_bytes',
    '/sys/fs/cgroup/cpu,cpuacct/nanomega/nmx-1/cpu.cfs_period_us',
    '/sys/fs/cgroup/cpu,cpuacct/nanomega/nmx-1/cpu.cfs_quota_us',
    '/sys/fs/cgroup/pids/nanomega/nmx-1/pids.max',
    '/sys/fs/cgroup/devices/nanomega/nmx-1/devices.deny',
    '/sys/fs/cgroup/devices/nanomega/nmx-1/devices.allow',
  ];
  for (const f of files) host.files.set(f, '');
  await cg.create({ memoryBytes: 1 << 30, vcpus: 1, pids: 100 });
  assert.ok(cg.dirs().includes('/sys/fs/cgroup/unified/nanomega/nmx-1'));
  assert.equal(new Set(cg.dirs()).size, cg.dirs().length, 'co-mounted cpu,cpuacct joined once');
  const w = host.calls.filter((c) => c.op === 'writeFile') as { path: string; data: string }[];
  assert.equal(w.find((x) => x.path.endsWith('memory.limit_in_bytes'))!.data, String(1 << 30));
  assert.equal(w.find((x) => x.path.endsWith('cpu.cfs_quota_us'))!.data, '100000');
  assert.equal(w.find((x) => x.path.endsWith('devices.deny'))!.data, 'a');
  const allowed = w.filter((x) => x.path.endsWith('devices.allow')).map((x) => x.data);
  assert.ok(!allowed.some((r) => /^c 4:|^c 1:1 |^c 1:11 |^c 5:1 |^b 8:/.test(r)), 'no host tty, mem, kmsg, console or disk');
  assert.ok(!allowed.includes('c 10:200 rwm'), 'no tun unless asked');
});

test('a failed limit write removes the directories already made', async () => {
  const host = new FakeHost(); // no limit files exist → the first write fails
  const cg = new ContainerCgroups(host, { layout: pureV2() }, 'nmx-9');
  await assert.rejects(cg.create({ memoryBytes: 1, vcpus: 1, pids: 1 }), /write .*memory.max: ENOENT/);
  assert.ok(!host.dirs.has('/sys/fs/cgroup/nanomega/nmx-9'));
});

test('v2 freeze writes cgroup.freeze and waits for cgroup.events to say frozen 1', async () => {
  const dir = '/sys/fs/cgroup/nanomega/nmx-2';
  const host = new FakeHost(
    new Map([
      [`${dir}/cgroup.freeze`, '0'],
      [`${dir}/cgroup.events`, 'populated 1\nfrozen 0\n'],
    ]),
  );
  let reads = 0;
  host.onWrite = () => undefined;
  const origRead = host.readFile.bind(host);
  host.readFile = async (p) => {
    if (p.endsWith('cgroup.events') && ++reads === 3) host.files.set(p, 'populated 1\nfrozen 1\n');
    return origRead(p);
  };
  const cg = new ContainerCgroups(host, { layout: pureV2() }, 'nmx-2');
  await cg.freeze();
  assert.equal(host.files.get(`${dir}/cgroup.freeze`), '1');
  assert.ok(reads >= 3, 'polled until frozen');
  await cg.thaw();
  assert.equal(host.files.get(`${dir}/cgroup.freeze`), '0');
});

test('v1 freeze writes FROZEN and kill thaws afterwards so pending SIGKILLs land', async () => {
  const fz = '/sys/fs/cgroup/freezer/nanomega/nmx-4';
  const host = new FakeHost(
    new Map([
      [`${fz}/freezer.state`, 'THAWED'],
      [`${fz}/cgroup.procs`, '11\n12\n'],
    ]),
  );
  const cg = new ContainerCgroups(host, { layout: hybrid(), freezer: 'v1' }, 'nmx-4');
  await cg.freeze();
  assert.equal(host.files.get(`${fz}/freezer.state`), 'FROZEN');
  await cg.kill(); // no cgroup.kill file in this fake → per-pid SIGKILL
  const kills = host.calls.filter((c) => c.op === 'kill');
  assert.deepEqual(
    kills.map((k) => (k as { pid: number }).pid),
    [11, 12],
  );
  assert.equal(host.files.get(`${fz}/freezer.state`), 'THAWED');
});

test('with a cgroup2 mount, no v1 freezer (unless asked) and no cpuacct directory is made', () => {
  const dirs = new ContainerCgroups(new FakeHost(), { layout: hybrid() }, 'nmx-8').dirs();
  assert.ok(!dirs.some((d) => d.includes('/freezer/')));
  assert.deepEqual(
    dirs.filter((d) => d.includes('cpu')),
    ['/sys/fs/cgroup/cpu,cpuacct/nanomega/nmx-8'],
  );
  const v1 = new ContainerCgroups(new FakeHost(), { layout: hybrid(), freezer: 'v1' }, 'nmx-8').dirs();
  assert.ok(v1.includes('/sys/fs/cgroup/freezer/nanomega/nmx-8'));
});

test('v2 kill uses cgroup.kill when the kernel has it', async () => {
  const dir = '/sys/fs/cgroup/nanomega/nmx-5';
  const host = new FakeHost(new Map([[`${dir}/cgroup.kill`, '']]));
  const cg = new ContainerCgroups(host, { layout: pureV2() }, 'nmx-5');
  await cg.kill();
  assert.equal(host.files.get(`${dir}/cgroup.kill`), '1');
});

test('stats read the v1 and v2 file formats', async () => {
  const v2 = '/sys/fs/cgroup/nanomega/nmx-6';
  const host = new FakeHost(
    new Map([
      [`${v2}/memory.current`, '1234\n'],
      [`${v2}/memory.max`, 'max\n'],
      [`${v2}/memory.events`, 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n'],
      [`${v2}/cpu.stat`, 'usage_usec 5000\nuser_usec 4000\n'],
      [`${v2}/pids.current`, '7\n'],
    ]),
  );
  const r = await new ContainerCgroups(host, { layout: pureV2() }, 'nmx-6').read();
  assert.deepEqual(r, { memoryBytes: 1234, memoryLimitBytes: Infinity, oomKills: 1, cpuUsec: 5000, pids: 7 });

  const h1 = new FakeHost(
    new Map([
      ['/sys/fs/cgroup/memory/nanomega/nmx-7/memory.usage_in_bytes', '4096\n'],
      ['/sys/fs/cgroup/memory/nanomega/nmx-7/memory.limit_in_bytes', '8192\n'],
      ['/sys/fs/cgroup/memory/nanomega/nmx-7/memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n'],
      ['/sys/fs/cgroup/unified/nanomega/nmx-7/cpu.stat', 'usage_usec 3000\nuser_usec 2000\n'],
      ['/sys/fs/cgroup/pids/nanomega/nmx-7/pids.current', '2\n'],
    ]),
  );
  const cg1 = new ContainerCgroups(h1, { layout: hybrid() }, 'nmx-7');
  assert.deepEqual(await cg1.read(), { memoryBytes: 4096, memoryLimitBytes: 8192, oomKills: 2, cpuUsec: 3000, pids: 2 });
  // A second read of the same object reads the files again.
  h1.files.set('/sys/fs/cgroup/unified/nanomega/nmx-7/cpu.stat', 'usage_usec 3500\nuser_usec 2500\n');
  h1.files.delete('/sys/fs/cgroup/pids/nanomega/nmx-7/pids.current');
  assert.deepEqual(await cg1.read(), { memoryBytes: 4096, memoryLimitBytes: 8192, oomKills: 2, cpuUsec: 3500, pids: 0 });

  // Pure v1: no cgroup2 directory has cpu.stat, so cpu time comes from cpuacct.usage (ns).
  const h2 = new FakeHost(
    new Map([
      ['/sys/fs/cgroup/memory/nanomega/nmx-8/memory.usage_in_bytes', '100\n'],
      ['/sys/fs/cgroup/memory/nanomega/nmx-8/memory.limit_in_bytes', '200\n'],
      ['/sys/fs/cgroup/cpu,cpuacct/nanomega/nmx-8/cpuacct.usage', '7499600\n'],
      ['/sys/fs/cgroup/pids/nanomega/nmx-8/pids.current', '3\n'],
    ]),
  );
  const r2 = await new ContainerCgroups(h2, { layout: pureV1(), freezer: 'v1' }, 'nmx-8').read();
  assert.deepEqual(r2, { memoryBytes: 100, memoryLimitBytes: 200, oomKills: 0, cpuUsec: 7500, pids: 3 });
});

test('hybrid with the allowlist on the engine parent: a container only denies tun, or writes nothing when it asked for tun', async () => {
  for (const tun of [false, true]) {
    const host = new FakeHost();
    const cg = new ContainerCgroups(host, { layout: { ...hybrid(), devicePolicyInParent: true } }, 'nmx-4');
    for (const f of [
      'memory/nanomega/nmx-4/memory.limit_in_bytes',
      'cpu,cpuacct/nanomega/nmx-4/cpu.cfs_quota_us',
      'pids/nanomega/nmx-4/pids.max',
      'devices/nanomega/nmx-4/devices.deny',
    ])
      host.files.set(`/sys/fs/cgroup/${f}`, '');
    await cg.create({ memoryBytes: 1 << 30, vcpus: 1, pids: 100, tun });
    const w = host.calls.filter((c) => c.op === 'writeFile' && c.path.includes('/devices/')) as { path: string; data: string }[];
    assert.deepEqual(w, tun ? [] : [{ op: 'writeFile', path: '/sys/fs/cgroup/devices/nanomega/nmx-4/devices.deny', data: 'c 10:200 rwm' }]);
    assert.ok(cg.dirs().includes('/sys/fs/cgroup/devices/nanomega/nmx-4'), 'it still joins its devices cgroup');
  }
});

test('hybrid: the engine parent gets the allowlist plus tun when its list differs, and is only checked when it matches', async () => {
  const list = '/sys/fs/cgroup/devices/nanomega/devices.list';
  const host = new FakeHost(new Map([[list, 'a *:* rwm\n']]));
  const written: string[] = [];
  host.onWrite = (path, data) => {
    if (!path.startsWith('/sys/fs/cgroup/devices/nanomega/devices.')) return;
    written.push(`${path.split('/').pop()} ${data}`);
    host.files.set(
      list,
      written
        .filter((l) => l.startsWith('devices.allow'))
        .map((l) => l.slice('devices.allow '.length))
        .join('\n') + '\n',
    );
  };
  for (const f of ['devices.deny', 'devices.allow']) host.files.set(`/sys/fs/cgroup/devices/nanomega/${f}`, '');
  const layout = await prepareEngineParents(host, hybrid());
  assert.equal(layout.devicePolicyInParent, true);
  assert.equal(written[0], 'devices.deny a');
  assert.ok(written.includes('devices.allow c 10:200 rwm'), 'tun on the parent, denied per container');
  assert.ok(!written.some((w) => /allow c 5:1 |allow c 1:1 |allow b 8:/.test(w)), 'no console, mem or disk');
  written.length = 0;
  assert.equal((await prepareEngineParents(host, hybrid())).devicePolicyInParent, true);
  assert.deepEqual(written, [], 'a parent that holds the list is left alone');
});

test('hybrid: a parent whose list cannot be set (it has children) leaves every container writing its own', async () => {
  const host = new FakeHost(new Map([['/sys/fs/cgroup/devices/nanomega/devices.list', 'a *:* rwm\n']]));
  host.onWrite = (path) => {
    if (path.endsWith('nanomega/devices.deny')) throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
  };
  assert.equal((await prepareEngineParents(host, hybrid())).devicePolicyInParent, false);
});

test('eBPF device filter on a hybrid host: the container does not join the v1 devices hierarchy', async () => {
  const host = new FakeHost();
  const cg = new ContainerCgroups(host, { layout: { ...hybrid(), devicePolicyInParent: true } }, 'nmx-5');
  for (const f of ['memory/nanomega/nmx-5/memory.limit_in_bytes', 'cpu,cpuacct/nanomega/nmx-5/cpu.cfs_quota_us', 'pids/nanomega/nmx-5/pids.max'])
    host.files.set(`/sys/fs/cgroup/${f}`, '');
  await cg.create({ memoryBytes: 1 << 30, vcpus: 1, pids: 100, devices: 'ebpf' });
  assert.ok(!cg.dirs().includes('/sys/fs/cgroup/devices/nanomega/nmx-5'));
  assert.ok(!host.dirs.has('/sys/fs/cgroup/devices/nanomega/nmx-5'));
});
