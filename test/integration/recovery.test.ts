import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { ConsoleClient } from '../helpers/console.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

function byName(list: ContainerInfo[]): Record<string, ContainerInfo> {
  return Object.fromEntries(list.map((c) => [c.name, c]));
}

describe('a daemon killed with SIGKILL and started again', { skip }, () => {
  const suite = useContainerSuite();
  let beforeCrash: Record<string, ContainerInfo>;

  before(async () => {
    // 3 running (r0, r2, r3) + 1 paused (r1) + 1 building (r4) + one that dies meanwhile (r5).
    await suite.d.ok('vm launch container r[0-5]');
    await suite.d.ok('vm start r[0-3],r5');
    await suite.d.ok('vm stop r1');
    const con = await ConsoleClient.connect(byName(await suite.d.client.call('vm.info')).r0!.console);
    assert.equal((await con.run('echo before-$((20+3))')).trim(), 'before-23');
    con.close();
    beforeCrash = byName(await suite.d.client.call('vm.info'));
    await suite.d.crash();
  });

  test('containers keep running while no daemon exists', () => {
    for (const c of Object.values(beforeCrash)) assert.ok(existsSync(`/proc/${c.pid}`), `${c.name} init ${c.pid} alive`);
  });

  test('restart re-adopts running, paused and building containers with the same pids and states', async () => {
    // r5 dies while the daemon is down: kill its init (a process the engine started for this test).
    process.kill(beforeCrash.r5!.pid, 'SIGKILL');
    await suite.d.restart();
    const now = byName(await suite.d.client.call('vm.info'));
    assert.equal(now.r0!.state, 'RUNNING');
    assert.equal(now.r1!.state, 'PAUSED');
    assert.equal(now.r2!.state, 'RUNNING');
    assert.equal(now.r3!.state, 'RUNNING');
    assert.equal(now.r4!.state, 'BUILDING');
    for (const n of ['r0', 'r1', 'r2', 'r3', 'r4']) assert.equal(now[n]!.pid, beforeCrash[n]!.pid, `${n} same pid`);
    assert.equal(now.r5!.state, 'ERROR', 'a container that died meanwhile is not silently gone');
    assert.match(now.r5!.tags.error ?? '', /signal 9/);
  });

  test('the console still holds its scrollback and accepts input', async () => {
    const con = await ConsoleClient.connect(beforeCrash.r0!.console);
    await con.waitFor(/before-23/);
    assert.equal((await con.run('echo after-$((40+2))')).trim(), 'after-42');
    con.close();
  });

  test('re-adopted containers obey the verbs: start the paused one, kill all, flush', async () => {
    await suite.d.ok('vm start r1');
    await suite.d.ok('vm start r4');
    const states = Object.values(byName(await suite.d.client.call('vm.info')))
      .map((c) => `${c.name}=${c.state}`)
      .sort();
    assert.deepEqual(states, ['r0=RUNNING', 'r1=RUNNING', 'r2=RUNNING', 'r3=RUNNING', 'r4=RUNNING', 'r5=ERROR']);
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
    assert.deepEqual(await suite.d.client.call('vm.info'), []);
  });
});
