// Every verb against a fake machine (FakeKernel: cgroupfs + /proc on a FakeHost, monitors from a
// FakeShim): states, the effects in order, and each fault path, without root.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { ContainerConfig, ContainerInfo } from '../../../../engine/api/types.js';
import type { Engine } from '../../../../engine/engine.js';
import { BASE, FakeKernel, ROOTFS } from '../fake-kernel.js';

const engines: Engine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.close();
});

async function open(k = new FakeKernel()): Promise<{ k: FakeKernel; e: Engine }> {
  const e = await k.open();
  engines.push(e);
  return { k, e };
}

function config(e: Engine, over: Partial<ContainerConfig> = {}): ContainerConfig {
  return { ...structuredClone(e.config.current), filesystem: ROOTFS, ...over };
}

async function info(e: Engine, name: string): Promise<ContainerInfo> {
  const c = (await e.handlers['vm.info']()).find((x) => x.name === name);
  assert.ok(c, `no container ${name}`);
  return c;
}

test('launch builds each container to BUILDING: cgroups, an unattended monitor (no NICs), frozen READY, release', async () => {
  const { k, e } = await open();
  const r = await e.handlers['vm.launch']('a[0-1]', config(e));
  assert.deepEqual(
    r.map((x) => [x.name, x.error]),
    [
      ['a0', undefined],
      ['a1', undefined],
    ],
  );
  for (const name of ['a0', 'a1']) {
    const c = await info(e, name);
    assert.equal(c.state, 'BUILDING');
    const m = k.shim.monitors.get(c.dir)!;
    assert.equal(c.pid, m.initPid);
    assert.equal(m.boot.unattended, true, 'no NICs: the monitor continues and hands EXEC itself');
    assert.equal(m.phase, 'running', 'EXEC was handed');
    assert.ok(k.frozen(k.cgroupOf(m)), 'the cgroup is frozen');
    const ops = k.shim.calls.filter((x) => 'dir' in x && x.dir === c.dir).map((x) => x.op);
    assert.deepEqual(ops, ['launch', 'adopt', 'release'], 'the sync connection became the control connection');
  }
});

test('start thaws to RUNNING, stop freezes to PAUSED: the kernel freezer follows; wrong states are minimega errors', async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('s0', config(e));
  const cg = k.cgroupOf(k.shim.monitors.get((await info(e, 's0')).dir)!);
  await e.handlers['vm.start']('s0');
  assert.equal((await info(e, 's0')).state, 'RUNNING');
  assert.equal(k.frozen(cg), false);
  await e.handlers['vm.stop']('s0');
  assert.equal((await info(e, 's0')).state, 'PAUSED');
  assert.equal(k.frozen(cg), true);
  await assert.rejects(e.handlers['vm.stop']('s0'), /VM state error: s0/);
  await assert.rejects(e.handlers['vm.start']('nosuch'), /vm not found: nosuch/);
  await assert.rejects(e.handlers['vm.flush']('s0'), /VM state error: s0/);
  await e.handlers['vm.start']('all');
  assert.equal((await info(e, 's0')).state, 'RUNNING');
  assert.equal(k.frozen(cg), false);
});

test('kill SIGKILLs through cgroup.kill, waits for the recorded exit → QUIT, removes the cgroup; flush forgets it', async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('k[0-1]', config(e));
  await e.handlers['vm.start']('k0');
  const dirs = await Promise.all(['k0', 'k1'].map(async (n) => (await info(e, n)).dir));
  const cgs = dirs.map((d) => k.cgroupOf(k.shim.monitors.get(d)!));
  const r = await e.handlers['vm.kill']('all');
  assert.deepEqual(
    r.map((x) => x.error),
    [undefined, undefined],
  );
  for (const [i, name] of ['k0', 'k1'].entries()) {
    const c = await info(e, name);
    assert.equal(c.state, 'QUIT', `${name} (BUILDING or RUNNING) is QUIT`);
    assert.equal(c.pid, 0);
    assert.ok(k.calls.some((x) => x.op === 'writeFile' && x.path === join(cgs[i]!, 'cgroup.kill') && x.data === '1'));
    assert.ok(!k.dirs.has(cgs[i]!), `${name}'s cgroup is removed`);
    assert.equal(k.shim.monitors.get(dirs[i]!)!.alive, false);
  }
  await e.handlers['vm.flush']();
  assert.deepEqual(await e.handlers['vm.info'](), []);
  for (const d of dirs) assert.ok(!k.dirs.has(d), `${d} removed by flush`);
});

/** Wait until `name` has left `state`. */
async function settled(e: Engine, name: string, from: string): Promise<ContainerInfo> {
  for (let i = 0; i < 200; i++) {
    const c = await info(e, name);
    if (c.state !== from) return c;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`${name} still ${from}`);
}

test('init exiting by itself: status 0 → QUIT, any other status, a signal or the OOM killer → ERROR with the reason', async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('x[0-3]', config(e));
  await e.handlers['vm.start']('all');
  const dir = async (n: string) => (await info(e, n)).dir;
  k.shim.exit(await dir('x0'), { code: 0 });
  k.shim.exit(await dir('x1'), { code: 3 });
  k.shim.exit(await dir('x2'), { signal: 11 });
  const oomCg = k.cgroupOf(k.shim.monitors.get(await dir('x3'))!);
  k.files.set(join(oomCg, 'memory.events'), 'low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n');
  k.shim.exit(await dir('x3'), { signal: 9 });
  const want: Record<string, [string, string | undefined]> = {
    x0: ['QUIT', undefined],
    x1: ['ERROR', 'init exited with status 3'],
    x2: ['ERROR', 'init killed by signal 11'],
    x3: ['ERROR', 'out of memory: init killed by the OOM killer (oom_kill 1)'],
  };
  for (const [name, [state, error]] of Object.entries(want)) {
    const c = await settled(e, name, 'RUNNING');
    assert.deepEqual([c.state, c.tags.error], [state, error], name);
  }
});

test('a monitor killed without recording an exit leaves its container ERROR with the reason', async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('m0', config(e));
  await e.handlers['vm.start']('m0');
  const c0 = await info(e, 'm0');
  const cg = k.cgroupOf(k.shim.monitors.get(c0.dir)!);
  k.shim.crash(c0.dir);
  const c = await settled(e, 'm0', 'RUNNING');
  assert.equal(c.state, 'ERROR');
  assert.equal(c.tags.error, 'monitor vanished without recording an exit status');
  assert.ok(!k.dirs.has(cg), 'its cgroup is removed');
});

for (const at of ['launch', 'pids', 'mounted', 'ready'] as const) {
  test(`a launch failing at ${at} is rolled back: ERROR with the shim's reason, no cgroup, no monitor`, async () => {
    const { k, e } = await open();
    k.shim.failLaunch = (b) => (b.name === 'f1' ? { at, message: `boom at ${at}`, errno: 5 } : undefined);
    const r = await e.handlers['vm.launch']('f[0-1]', config(e));
    assert.deepEqual(
      r.map((x) => [x.name, x.error]),
      [
        ['f0', undefined],
        ['f1', `boom at ${at}`],
      ],
    );
    const c = await info(e, 'f1');
    assert.equal(c.state, 'ERROR');
    assert.equal(c.tags.error, `boom at ${at}`);
    assert.equal(c.pid, 0);
    const cgroups = [...k.dirs].filter((d) => d.includes(`/nanomega/`) && d.endsWith(`-${c.id}`));
    assert.deepEqual(cgroups, [], 'the cgroup made for it is gone');
    const m = k.shim.monitors.get(c.dir);
    assert.ok(!m || !m.alive, 'no monitor is left');
    assert.equal((await info(e, 'f0')).state, 'BUILDING', 'the other container is unaffected');
  });
}

test('a named start relaunches a QUIT or ERROR container in its instance directory; start all skips them', async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('r[0-1]', config(e));
  await e.handlers['vm.start']('all');
  const r0 = await info(e, 'r0');
  await e.handlers['vm.kill']('r0');
  k.shim.exit((await info(e, 'r1')).dir, { code: 2 });
  assert.equal((await settled(e, 'r1', 'RUNNING')).state, 'ERROR');
  await e.handlers['vm.start']('all');
  assert.deepEqual([(await info(e, 'r0')).state, (await info(e, 'r1')).state], ['QUIT', 'ERROR']);
  await e.handlers['vm.start']('r0');
  await e.handlers['vm.start']('r1');
  for (const name of ['r0', 'r1']) {
    const c = await info(e, name);
    assert.equal(c.state, 'RUNNING', name);
    assert.equal(c.tags.error, undefined);
    const m = k.shim.monitors.get(c.dir)!;
    assert.ok(m.alive && m.initPid === c.pid, 'a new monitor and init');
  }
  assert.equal((await info(e, 'r0')).dir, r0.dir);
  assert.notEqual((await info(e, 'r0')).pid, r0.pid);
});

test('a restarted daemon re-adopts BUILDING, RUNNING and PAUSED containers with their pids; the kernel freezer decides', async () => {
  const k = new FakeKernel();
  const { e } = await open(k);
  await e.handlers['vm.launch']('p[0-2]', config(e));
  await e.handlers['vm.start']('p[1-2]');
  await e.handlers['vm.stop']('p2');
  const before = await e.handlers['vm.info']();
  k.daemonDied(e);
  // While no daemon runs, someone thaws p2 behind its back: the kernel is the truth.
  const p2 = k.cgroupOf(k.shim.monitors.get(before[2]!.dir)!);
  k.files.set(join(p2, 'cgroup.events'), 'populated 1\nfrozen 0\n');
  const { e: e2 } = await open(k);
  const after = await e2.handlers['vm.info']();
  assert.deepEqual(
    after.map((c) => [c.name, c.state, c.pid]),
    [
      ['p0', 'BUILDING', before[0]!.pid],
      ['p1', 'RUNNING', before[1]!.pid],
      ['p2', 'RUNNING', before[2]!.pid],
    ],
  );
  // The new daemon watches them: an exit now is recorded.
  k.shim.exit(after[1]!.dir, { code: 0 });
  assert.equal((await settled(e2, 'p1', 'RUNNING')).state, 'QUIT');
});

test('a restarted daemon records what ended meanwhile: exit records → QUIT/ERROR, a vanished monitor → ERROR', async () => {
  const k = new FakeKernel();
  const { e } = await open(k);
  await e.handlers['vm.launch']('d[0-2]', config(e));
  await e.handlers['vm.start']('all');
  const list = await e.handlers['vm.info']();
  k.daemonDied(e);
  k.shim.exit(list[0]!.dir, { code: 0 });
  k.shim.exit(list[1]!.dir, { code: 4 });
  k.shim.crash(list[2]!.dir);
  const { e: e2 } = await open(k);
  const after = await e2.handlers['vm.info']();
  assert.deepEqual(
    after.map((c) => [c.name, c.state, c.tags.error, c.pid]),
    [
      ['d0', 'QUIT', undefined, 0],
      ['d1', 'ERROR', 'init exited with status 4', 0],
      ['d2', 'ERROR', 'monitor vanished without recording an exit status', 0],
    ],
  );
  assert.deepEqual(
    [...k.dirs].filter((d) => d.startsWith('/sys/fs/cgroup/nanomega/')),
    [],
    'their cgroups are removed',
  );
});

test('a restart finding a launch cut short rolls it back: its monitor killed, cgroups removed, ERROR', async () => {
  const k = new FakeKernel();
  const { e } = await open(k);
  await e.handlers['vm.launch']('i0', config(e));
  const c = await info(e, 'i0');
  k.daemonDied(e);
  // The daemon died between the monitor's start and the record's `ready` write.
  const statePath = join(BASE, String(c.id), 'state.json');
  const rec = JSON.parse(k.files.get(statePath)!) as { phase: string };
  rec.phase = 'launching';
  k.files.set(statePath, JSON.stringify(rec));
  const { e: e2 } = await open(k);
  const after = await info(e2, 'i0');
  assert.equal(after.state, 'ERROR');
  assert.equal(after.tags.error, 'launch interrupted by a daemon restart');
  assert.equal(k.shim.monitors.get(c.dir)!.alive, false, 'the half-built container was killed');
  assert.deepEqual(
    [...k.dirs].filter((d) => d.startsWith('/sys/fs/cgroup/nanomega/')),
    [],
  );
});

test('a restart removes engine cgroups no container owns', async () => {
  const k = new FakeKernel();
  const { e } = await open(k);
  const tag = e.ctx.cgroupTag;
  k.daemonDied(e);
  await k.mkdir(`/sys/fs/cgroup/nanomega/${tag}-77`);
  await k.mkdir('/sys/fs/cgroup/nanomega/other-base-1');
  await open(k);
  assert.ok(!k.dirs.has(`/sys/fs/cgroup/nanomega/${tag}-77`), 'the orphan of this base is removed');
  assert.ok(k.dirs.has('/sys/fs/cgroup/nanomega/other-base-1'), "another base's cgroup is left alone");
});

test('vm tag sets a tag on every match; bad filesystem and duplicate names fail before anything is made', async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('t0', config(e));
  await e.handlers['vm.tag']('all', 'role', 'web');
  assert.equal((await info(e, 't0')).tags.role, 'web');
  const calls = k.shim.calls.length;
  const mkdirs = k.calls.filter((c) => c.op === 'mkdir').length;
  await assert.rejects(e.handlers['vm.launch']('t1', config(e, { filesystem: '/nonexistent' })), /filesystem `\/nonexistent` does not exist/);
  await assert.rejects(e.handlers['vm.launch']('t0', config(e)), /vm already exists with name `t0`/);
  assert.equal(k.shim.calls.length, calls, 'no monitor was asked for');
  assert.equal(k.calls.filter((c) => c.op === 'mkdir').length, mkdirs, 'no directory was made');
});

test('a restart finishes a vm kill the crash cut short: the container ends QUIT', async () => {
  const k = new FakeKernel();
  const { e } = await open(k);
  await e.handlers['vm.launch']('kq0', config(e));
  await e.handlers['vm.start']('kq0');
  const c = await info(e, 'kq0');
  k.daemonDied(e);
  // The record says a kill was asked for; the daemon died before signalling.
  const statePath = join(BASE, String(c.id), 'state.json');
  k.files.set(statePath, JSON.stringify({ ...JSON.parse(k.files.get(statePath)!), killRequested: true }));
  const { e: e2 } = await open(k);
  assert.equal((await info(e2, 'kq0')).state, 'QUIT');
  assert.equal(k.shim.monitors.get(c.dir)!.alive, false);
});

test('a restart finishes a vm kill that only kills.json holds (a wave request), not one of an older incarnation', async () => {
  const k = new FakeKernel();
  const { e } = await open(k);
  await e.handlers['vm.launch']('kw[0-1]', config(e));
  await e.handlers['vm.start']('all');
  const [c0, c1] = [await info(e, 'kw0'), await info(e, 'kw1')];
  k.daemonDied(e);
  const rec = (id: number) => JSON.parse(k.files.get(join(BASE, String(id), 'state.json'))!) as { initPid: number; initStartTicks: number };
  // The daemon died between the wave's one write and its SIGKILLs; kw1's entry names an init it no longer has.
  k.files.set(
    join(BASE, 'kills.json'),
    JSON.stringify({ [c0.id]: `${rec(c0.id).initPid}:${rec(c0.id).initStartTicks}`, [c1.id]: `${rec(c1.id).initPid}:${rec(c1.id).initStartTicks - 1}` }),
  );
  const { e: e2 } = await open(k);
  assert.equal((await info(e2, 'kw0')).state, 'QUIT');
  assert.equal(k.shim.monitors.get(c0.dir)!.alive, false);
  assert.equal((await info(e2, 'kw1')).state, 'RUNNING');
  assert.equal(k.files.has(join(BASE, 'kills.json')), false, 'recovery put the requests into the records');
  await e2.handlers['vm.kill']('kw1');
  assert.equal((await info(e2, 'kw1')).state, 'QUIT');
  assert.equal(k.files.has(join(BASE, 'kills.json')), false, 'a finished wave leaves no request behind');
});

test('nuke kills every live container, forgets them all, and leaves no cgroup', async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('n[0-2]', config(e));
  await e.handlers['vm.start']('n1');
  await e.handlers['vm.stop']('n1');
  await e.handlers['vm.kill']('n2');
  await e.handlers['engine.nuke']();
  assert.deepEqual(await e.handlers['vm.info'](), []);
  assert.ok(
    [...k.shim.monitors.values()].every((m) => !m.alive),
    'every monitor is gone',
  );
  assert.deepEqual(
    [...k.dirs].filter((d) => d.startsWith('/sys/fs/cgroup/nanomega/')),
    [],
  );
});

test("a console session reads the monitor's console through the shim port; a stopped container has none", async () => {
  const { k, e } = await open();
  await e.handlers['vm.launch']('c0', config(e));
  await e.handlers['vm.start']('c0');
  const c = await info(e, 'c0');
  k.shim.monitors.get(c.dir)!.scrollback = 'login: ';
  const client = e.openClient();
  const got: string[] = [];
  const off = e.on('console.data', (p) => got.push(p.data));
  const s = await client.handlers['console.open'](c.id);
  for (let i = 0; i < 100 && got.join('') !== 'login: '; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(got.join(''), 'login: ');
  assert.ok(k.shim.calls.some((x) => x.op === 'console' && x.dir === c.dir));
  await client.handlers['console.resize'](s.session, 100, 40);
  assert.ok(k.shim.calls.some((x) => x.op === 'resize' && x.dir === c.dir && x.cols === 100 && x.rows === 40));
  off();
  client.dispose();
  await e.handlers['vm.kill']('c0');
  await assert.rejects(client.handlers['console.open'](c.id), /not running/);
});

test('a base that cannot be written (ENOSPC) fails the launch with the path, and leaves no container or cgroup', async () => {
  const { k, e } = await open();
  const write = k.writeFileAtomic.bind(k);
  k.writeFileAtomic = async (path, data) => {
    if (path.startsWith(BASE)) throw Object.assign(new Error(`write ${path}: ENOSPC`), { code: 'ENOSPC' });
    return write(path, data);
  };
  await assert.rejects(e.handlers['vm.launch']('full0', config(e)), /ENOSPC/);
  assert.deepEqual(await e.handlers['vm.info'](), [], 'no phantom container');
  assert.deepEqual(
    k.shim.calls.filter((c) => c.op === 'launch'),
    [],
    'no monitor asked for',
  );
  assert.deepEqual(
    [...k.dirs].filter((d) => d.startsWith('/sys/fs/cgroup/nanomega/')),
    [],
  );
  k.writeFileAtomic = write;
  await e.handlers['vm.launch']('full0', config(e));
  assert.equal((await info(e, 'full0')).state, 'BUILDING', 'once there is room it works');
});
