// Namespaces with real containers: scoping of the verbs, VLAN aliases on real bridges, durability across
// a daemon killed with SIGKILL, destroying a namespace (its containers' cgroups and veths go), and a
// container's fifo feeding a named pipe through a host program.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** A rendered table as rows of cells (header first). */
function table(out: string): string[][] {
  return out === '' ? [] : out.split('\n').map((l) => l.split(/\s*\|\s*/).map((c) => c.trim()));
}

describe('namespaces on one host', { skip }, () => {
  const suite = useContainerSuite();
  let lab: ContainerInfo[] = [];

  test('each namespace has its containers, names, counter and vm config; verbs stay inside it', async () => {
    const d = suite.d;
    await d.ok('vm launch container 1');
    await d.ok('namespace lab');
    await d.ok(`vm config filesystem ${suite.fs.dir}`);
    await d.ok('vm config memory 96');
    await d.ok('vm config net LAN');
    await d.ok('vm launch container 2');
    await d.ok('vm launch container vm-0-twin');
    await d.ok('vm start all');
    assert.deepEqual(table(await d.ok('.columns name,state,memory,vlan vm info')), [
      ['name', 'state', 'memory', 'vlan'],
      ['vm-0', 'RUNNING', '96', '[LAN (101)]'],
      ['vm-0-twin', 'RUNNING', '96', '[LAN (101)]'],
      ['vm-1', 'RUNNING', '96', '[LAN (101)]'],
    ]);
    assert.deepEqual(
      table(await d.ok('namespace minimega .columns name,state vm info')),
      [
        ['name', 'state'],
        ['vm-0', 'BUILDING'],
      ],
      'vm start all did not reach minimega',
    );
    lab = (await d.client.call('vm.info', 'lab')).sort((a, b) => a.id - b.id);
    assert.equal(lab.length, 3);
    const all = await d.client.call('vm.info');
    assert.equal(all.filter((c) => c.name === 'vm-0').length, 2, 'two vm-0, one per namespace');
    await assert.rejects(d.client.call('vm.kill', 'vm-0'), /vm `vm-0` is in more than one namespace \(lab, minimega\)/);
    // The two containers on LAN share its bridge; a container of minimega is elsewhere.
    assert.equal(new Set(lab.map((c) => c.nics[0]!.bridge)).size, 1);
  });

  test('namespaces survive a daemon killed with SIGKILL: containers, active namespace, counter, aliases, vm config', async () => {
    const d = suite.d;
    await d.crash();
    await d.restart();
    // A new session starts in the namespace the last one switched to.
    assert.deepEqual(table(await d.ok('.columns name,state vm info')), [
      ['name', 'state'],
      ['vm-0', 'RUNNING'],
      ['vm-0-twin', 'RUNNING'],
      ['vm-1', 'RUNNING'],
    ]);
    assert.equal(await d.ok('vm config memory'), '96');
    assert.deepEqual(table(await d.ok('vlans')), [
      ['alias', 'vlan'],
      ['LAN', '101'],
    ]);
    await d.ok('vm launch container 1');
    assert.match(await d.ok('.columns name vm info'), /\nvm-2$/m, 'the counter went on from 2');
    assert.deepEqual(table(await d.ok('.columns namespace,active namespace')), [
      ['namespace', 'active'],
      ['lab', 'true'],
      ['minimega', 'false'],
    ]);
  });

  test("a container's fifo feeds a named pipe through a host program", async () => {
    const d = suite.d;
    await d.ok('clear namespace');
    await d.ok('vm config fifos 1');
    await d.ok('vm launch container talker');
    await d.ok('vm start talker');
    const talker = (await d.client.call('vm.info', 'minimega')).find((c) => c.name === 'talker')!;
    await d.ok(`plumb "cat ${talker.dir}/fifo0" heard`);
    await d.ok('vm exec talker sh -c "echo hello from talker > /dev/fifos/fifo0"');
    const row = await until('the line in the pipe', async () => {
      const out = await d.ok('.columns count,previous .filter name=minimega//heard pipe');
      return out.includes('hello from talker') ? out : undefined;
    });
    assert.deepEqual(table(row), [
      ['count', 'previous'],
      ['1', 'hello from talker'],
    ]);
    await d.ok('clear plumb');
    await d.ok('clear pipe');
  });

  test("a container's console joins a pipeline through socat: lines in are typed, lines out are read", async () => {
    const d = suite.d;
    const talker = (await d.client.call('vm.info', 'minimega')).find((c) => c.name === 'talker')!;
    await d.ok(`plumb keys "socat - UNIX-CONNECT:${talker.console}" "grep --line-buffered bridged-42" hits`);
    await d.ok('pipe keys "echo bridged-$((6*7))"');
    await until(
      "the command's output in the pipe",
      async () => (table(await d.ok('.columns name,count .filter name=minimega//hits pipe'))[1]?.[1] ?? '0') !== '0',
    );
    assert.match(await d.ok('.columns previous .filter name=minimega//hits pipe'), /bridged-42/);
    await d.ok('clear plumb');
    await d.ok('clear pipe');
  });

  test('clear namespace lab kills and forgets its containers; their cgroups, NICs and aliases go', async () => {
    const d = suite.d;
    assert.deepEqual((await d.exec('namespace lab clear namespace lab')).errors, [
      'cannot clear namespace lab: it is the current namespace (leave it first: clear namespace)',
    ]);
    await d.ok('clear namespace lab');
    assert.equal(await d.ok('namespace lab .columns name vm info'), '');
    assert.equal(await d.ok('namespace lab vlans'), '');
    for (const c of lab) assert.ok(!existsSync(`/proc/${c.pid}`) || !existsSync(c.dir), `${c.name} is gone`);
    assert.ok(!(await d.client.call('vm.info')).some((c) => c.namespace === 'lab'));
    assert.match(await d.ok('.columns name vm info'), /talker/, "minimega's containers stay");
  });
});
