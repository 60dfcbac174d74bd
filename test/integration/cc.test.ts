// cc on busybox containers with nothing added to the image: 100 clients each answer with their own
// hostname, filters narrow, a container started later gets a command once, a daemon killed with -9
// loses nothing and runs nothing twice, background processes are listed and killed, backchannel
// false takes a container out. Responses are checked on disk, where minimega puts them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CcCommandInfo, ContainerInfo } from '../../engine/api/types.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
/** The acceptance's 100 clients; NANOMEGA_CC_CLIENTS makes a quick local run smaller. */
const CLIENTS = Number(process.env.NANOMEGA_CC_CLIENTS ?? 100);
const NS = 'minimega';

describe('cc', { skip }, () => {
  const s = useContainerSuite();
  const responses = () => join(s.d.base, 'files', 'miniccc_responses');
  const commands = () => s.d.client.call('cc.commands', NS);
  const info = async () => new Map((await s.d.client.call('vm.info')).map((c) => [c.name, c] as [string, ContainerInfo]));
  async function answered(id: number, n: number, ms = 60_000): Promise<CcCommandInfo> {
    let seen = 0;
    return until(
      () => `command ${id}: ${seen} of ${n} responses`,
      async () => {
        const c = (await commands()).find((x) => x.id === id);
        seen = c?.checkedIn.length ?? 0;
        return c && c.checkedIn.length >= n ? c : undefined;
      },
      ms,
    );
  }
  const lastId = async () => Math.max(0, ...(await commands()).map((c) => c.id));
  const stdout = (id: number, uuid: string) => readFileSync(join(responses(), String(id), uuid, 'stdout'), 'utf8');

  test(`cc exec hostname on ${CLIENTS} running containers: one response each, its own hostname`, async () => {
    await s.d.ok(`vm launch container web[1-${CLIENTS}]`);
    await s.d.ok('vm start all');
    assert.equal((await s.d.ok('cc')).trim(), `clients\n${CLIENTS}`);
    await s.d.ok('cc exec hostname');
    const cmd = await answered(1, CLIENTS);
    const vms = await info();
    assert.equal(new Set(cmd.checkedIn).size, CLIENTS);
    for (const vm of vms.values()) {
      assert.equal(stdout(1, vm.uuid), `${vm.name}\n`, vm.name);
      assert.equal(readFileSync(join(responses(), '1', vm.uuid, 'exitcode'), 'utf8'), '0');
    }
    assert.equal(readdirSync(join(responses(), '1')).length, CLIENTS);
    const text = await s.d.ok('cc responses 1');
    assert.equal(text.split('\n').filter((l) => /^1\/[0-9a-f-]{36}\/stdout:$/.test(l)).length, CLIENTS);
    assert.equal((await s.d.ok('vm info')).includes('| true '), true);
    assert.equal((await s.d.ok('.columns name,cc_active .filter name=web1 vm info')).trim().split('\n')[1]!.replace(/\s+/g, ' '), 'web1 | true');
  });

  test('cc filter hostname=web1 narrows to one client', async () => {
    await s.d.ok('cc filter hostname=web1');
    assert.match(await s.d.ok('cc filter'), /\| web1 +\|/);
    await s.d.ok('cc exec sh -c "echo picked; exit 4"');
    const id = await lastId();
    await answered(id, 1);
    const web1 = (await info()).get('web1')!;
    assert.deepEqual(readdirSync(join(responses(), String(id))), [web1.uuid]);
    assert.equal(stdout(id, web1.uuid), 'picked\n');
    assert.equal((await s.d.ok(`cc exitcode ${id} web1`)).trim(), '4');
    assert.match((await s.d.ok('.columns id,filter cc commands')).split('\n').pop()!, /hostname=web1/);
    await s.d.ok('clear cc filter');
    assert.equal((await s.d.ok('cc filter')).trim(), '');
  });

  test('a container launched and started afterwards gets the earlier commands, once', async () => {
    const before = (await commands()).find((c) => c.id === 1)!.checkedIn.length;
    await s.d.ok('vm launch container late');
    await s.d.ok('vm start late');
    const late = (await info()).get('late')!;
    await answered(1, before + 1);
    assert.equal(stdout(1, late.uuid), 'late\n');
    // The filtered command is not for it.
    assert.equal(existsSync(join(responses(), '2', late.uuid)), false);
    // Still once, however often it is looked at again.
    await s.d.ok('vm tag late color blue');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await commands()).find((c) => c.id === 1)!.checkedIn.filter((u) => u === late.uuid).length, 1);
  });

  test('after kill -9 of the daemon, running and pending commands are delivered and nothing runs twice', async () => {
    // Pending: paused containers are no clients until they run again.
    await s.d.ok('vm stop web2');
    await s.d.ok('cc exec sh -c "echo ran >> /tmp/ran-a; sleep 1; cat /tmp/ran-a | wc -l"');
    const id = await lastId();
    // Running: give the first deliveries time to start, then crash mid-flight.
    await until(
      'some deliveries started',
      () => existsSync(join(s.d.base, 'cc', NS, 'journal')) && readFileSync(join(s.d.base, 'cc', NS, 'journal'), 'utf8').includes(`S ${id} `),
    );
    await s.d.crash();
    await s.d.restart();
    await s.d.ok('vm start web2');
    const total = (await info()).size;
    await answered(id, total, 120_000);
    for (const vm of (await info()).values()) {
      assert.equal(stdout(id, vm.uuid).trim(), '1', `${vm.name} ran it ${stdout(id, vm.uuid).trim()} times`);
      const ran = await s.d.client.call('vm.exec', vm.name, ['cat', '/tmp/ran-a']);
      assert.equal(ran[0]!.stdout, 'ran\n', vm.name);
    }
    // The commands and their counter survived the restart.
    assert.equal(await lastId(), id);
  });

  test('cc background, cc process list shows it, cc process kill ends it', async () => {
    await s.d.ok('cc filter hostname=web3');
    await s.d.ok('cc background sleep 1000');
    const id = await lastId();
    await answered(id, 1);
    const list = await until('the process is listed', async () => {
      const out = await s.d.ok('cc process list web3');
      return out.includes('sleep 1000') ? out : undefined;
    });
    const pid = list.trim().split('\n')[1]!.split('|')[2]!.trim();
    assert.match(pid, /^\d+$/);
    assert.match((await s.d.ok('vm exec web3 ps')).split('\n').find((l) => l.includes('sleep 1000')) ?? '', new RegExp(`^\\s*${pid}\\s`));
    await s.d.ok(`cc process kill ${pid}`);
    await until('the process is gone', async () => !(await s.d.ok('cc process list all')).includes('sleep 1000'));
    assert.doesNotMatch(await s.d.ok('vm exec web3 ps'), /sleep 1000/);
    await s.d.ok('cc background sleep 2000');
    await until('killall target listed', async () => (await s.d.ok('cc process list web3')).includes('sleep 2000'));
    await s.d.ok('cc process killall 2000');
    await until('killall ended it', async () => !(await s.d.ok('cc process list all')).includes('sleep 2000'));
    await s.d.ok('clear cc filter');
  });

  test('vm config backchannel false: not a client, cc_active false; kill loses the client, start brings it back', async () => {
    await s.d.ok('vm config backchannel false');
    await s.d.ok('vm launch container mute');
    await s.d.ok('vm config backchannel true');
    await s.d.ok('vm start mute');
    const mute = (await info()).get('mute')!;
    assert.equal(mute.ccActive, false);
    const clients = await s.d.client.call('cc.clients', NS);
    assert.equal(
      clients.some((c) => c.uuid === mute.uuid),
      false,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(join(responses(), '1', mute.uuid)), false);
    const n = Number((await s.d.ok('cc')).trim().split('\n')[1]);
    await s.d.ok('vm kill web4');
    assert.equal(Number((await s.d.ok('cc')).trim().split('\n')[1]), n - 1);
    assert.equal((await info()).get('web4')!.ccActive, false);
    await s.d.ok('vm start web4');
    assert.equal(Number((await s.d.ok('cc')).trim().split('\n')[1]), n);
  });

  test('commands, prefixes, responses and their deletion as minimega prints them', async () => {
    await s.d.ok('cc filter hostname=web1');
    await s.d.ok('cc prefix tagged');
    assert.equal((await s.d.ok('cc prefix')).trim(), 'tagged');
    await s.d.ok('cc exec echo one');
    const id = await lastId();
    await answered(id, 1);
    const web1 = (await info()).get('web1')!;
    // minimega's text is `<path>:\n<data>\n` per file; the renderer drops the trailing newlines.
    assert.equal(await s.d.ok('cc responses tagged'), `${id}/${web1.uuid}/stdout:\none`);
    assert.equal(await s.d.ok(`cc responses ${id} raw`), 'one');
    assert.match((await s.d.exec('cc responses nosuch')).errors.join(), /no such prefix: `nosuch`/);
    assert.match((await s.d.exec('cc responses 999')).errors.join(), /no responses for 999/);
    await s.d.ok('cc delete response tagged');
    assert.equal(existsSync(join(responses(), String(id))), false);
    await s.d.ok(`cc delete command ${id}`);
    assert.equal(
      (await commands()).some((c) => c.id === id),
      false,
    );
    assert.match((await s.d.exec(`cc delete command ${id}`)).errors.join(), new RegExp(`command ${id} not found`));
    assert.match((await s.d.exec('cc filter nonsense')).errors.join(), /malformed id=value pair: nonsense/);
    assert.match((await s.d.exec('cc process kill x')).errors.join(), /invalid PID: `x`/);
    assert.match((await s.d.exec('cc send no-such-file')).errors.join(), /no such file: no-such-file/);
    await s.d.ok('clear cc');
    assert.equal((await commands()).length, 0);
    assert.equal((await s.d.ok('cc prefix')).trim(), '');
    assert.equal(existsSync(responses()), false);
    // The counter starts over.
    await s.d.ok('cc exec true');
    assert.equal(await lastId(), 1);
    await s.d.ok('clear cc');
  });
});
