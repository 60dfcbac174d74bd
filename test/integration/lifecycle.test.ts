import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { kernelFrozen } from '../helpers/cgroups.js';
import { ConsoleClient } from '../helpers/console.js';
import type { TestDaemon } from '../helpers/daemon.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** `name | state` rows of `.columns name,state vm info`, parsed. */
async function states(d: TestDaemon): Promise<Record<string, string>> {
  const out = await d.ok('.columns name,state vm info');
  const rows = out.split('\n').slice(1).filter(Boolean);
  return Object.fromEntries(rows.map((r) => r.split('|').map((s) => s.trim()) as [string, string]));
}

for (const freezer of ['v2', 'v1'] as const) {
  describe(`lifecycle with the ${freezer} freezer`, { skip: skip || (freezer === 'v1' && requires('v1-freezer')) }, () => {
    const suite = useContainerSuite({ freezer });

    test('launch leaves containers BUILDING and frozen before init runs', async () => {
      await suite.d.ok('vm launch container foo[0-2]');
      assert.deepEqual(await states(suite.d), { foo0: 'BUILDING', foo1: 'BUILDING', foo2: 'BUILDING' });
      const info = await suite.d.client.call('vm.info');
      for (const c of info) {
        assert.ok(c.pid > 0, 'init has a host pid');
        // The child is blocked before exec: its comm is still the shim's, not init's.
        const comm = readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim();
        assert.notEqual(comm, 'init');
        assert.ok(kernelFrozen(c.pid, freezer), `${c.name}: the kernel's ${freezer} freezer says frozen`);
      }
    });

    test('start thaws to RUNNING and init becomes PID 1 of its own namespace', async () => {
      await suite.d.ok('vm start foo0');
      const s = await states(suite.d);
      assert.equal(s.foo0, 'RUNNING');
      assert.equal(s.foo1, 'BUILDING');
      const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 'foo0')!;
      const con = await ConsoleClient.connect(c.console);
      try {
        // PID 1 is the /init script's shell; the interactive shell is its child.
        assert.match(await con.run("tr '\\0' ' ' < /proc/1/cmdline"), /\/init/);
        const ps = await con.run('ls /proc | grep -E "^[0-9]+$" | wc -l');
        assert.ok(Number(ps.trim()) < 10, `container sees only its own processes, got ${ps}`);
        assert.equal((await con.run('hostname')).trim(), 'foo0');
      } finally {
        con.close();
      }
    });

    test("start all starts BUILDING and PAUSED but skips RUNNING; PAUSED is the kernel's frozen", async () => {
      const pid = (name: string) => suite.d.client.call('vm.info').then((l) => l.find((x) => x.name === name)!.pid);
      assert.equal(kernelFrozen(await pid('foo0'), freezer), false, 'RUNNING is thawed');
      await suite.d.ok('vm stop foo0');
      assert.equal((await states(suite.d)).foo0, 'PAUSED');
      assert.equal(kernelFrozen(await pid('foo0'), freezer), true, 'PAUSED is frozen');
      await suite.d.ok('vm start all');
      assert.deepEqual(await states(suite.d), { foo0: 'RUNNING', foo1: 'RUNNING', foo2: 'RUNNING' });
      for (const name of ['foo0', 'foo1', 'foo2']) assert.equal(kernelFrozen(await pid(name), freezer), false, `${name} thawed`);
    });

    test('verbs in the wrong state give minimega errors', async () => {
      assert.deepEqual((await suite.d.exec('vm start foo0')).errors, ['vm is already running']);
      assert.deepEqual((await suite.d.exec('vm start nope')).errors, ['vm not found: nope']);
      assert.deepEqual((await suite.d.exec('vm flush foo0')).errors, ['VM state error: foo0']);
    });

    test('kill → QUIT, named start relaunches in the same instance dir with the overlay kept', async () => {
      const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 'foo1')!;
      const con = await ConsoleClient.connect(c.console);
      await con.run('echo kept > /root/marker');
      con.close();
      await suite.d.ok('vm kill foo1');
      assert.equal((await states(suite.d)).foo1, 'QUIT');
      assert.ok(existsSync(join(c.dir, 'layer/upper/root/marker')), 'overlay upper survives kill');
      assert.deepEqual((await suite.d.exec('vm stop foo1')).errors, ['VM state error: foo1']);
      await suite.d.ok('vm start all');
      assert.equal((await states(suite.d)).foo1, 'QUIT', 'start all skips QUIT');
      await suite.d.ok('vm start foo1');
      assert.equal((await states(suite.d)).foo1, 'RUNNING');
      const again = (await suite.d.client.call('vm.info')).find((x) => x.name === 'foo1')!;
      assert.equal(again.dir, c.dir);
      const con2 = await ConsoleClient.connect(again.console);
      assert.equal((await con2.run('cat /root/marker')).trim(), 'kept');
      con2.close();
    });

    test('memory limit is visible in the container cgroup', async () => {
      await suite.d.ok('vm config memory 64');
      await suite.d.ok('vm launch container mem0');
      const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 'mem0')!;
      const cg = readFileSync(`/proc/${c.pid}/cgroup`, 'utf8');
      const v1 = /:memory:(.*)$/m.exec(cg)?.[1];
      const v2 = /^0::(.*)$/m.exec(cg)?.[1];
      const limit =
        v1 && v1 !== '/' && existsSync(`/sys/fs/cgroup/memory${v1}/memory.limit_in_bytes`)
          ? readFileSync(`/sys/fs/cgroup/memory${v1}/memory.limit_in_bytes`, 'utf8')
          : readFileSync(`/sys/fs/cgroup${v2}/memory.max`, 'utf8');
      assert.equal(Number(limit), 64 * 1024 * 1024);
      await suite.d.ok('vm config memory 2048');
    });

    test('kill all and flush remove every container and its cgroups', async () => {
      await suite.d.ok('vm kill all');
      assert.ok(Object.values(await states(suite.d)).every((s) => s === 'QUIT'));
      await suite.d.ok('vm flush');
      assert.deepEqual(await states(suite.d), {});
    });
  });
}
