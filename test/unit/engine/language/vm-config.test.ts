import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine, session, vm } from './fake.js';

async function quiet(e = new FakeEngine()) {
  const t = session(e, { filesDir: '/tmp/minimega/files' });
  await t.s.exec('.annotate false');
  return t;
}

test("vm config prints minimega 3.1's blocks, each laid out by Go's tabwriter", async () => {
  const { s } = await quiet();
  await s.exec('vm config volume /scratch /tmp/v');
  const out = (await s.exec('vm config')).output;
  const blocks = out.split('\n\n');
  assert.deepEqual(
    blocks.map((b) => b.split('\n')[0]),
    ['VM configuration:', 'KVM configuration:', 'Container configuration:', 'Android configuration:'],
    "a default configuration prints minimega's blocks only",
  );
  assert.equal(
    blocks[0],
    [
      'VM configuration:',
      'Memory:           2048',
      'VCPUs:            1',
      'Networks:         []',
      'Bonds:            []',
      'Snapshot:         true',
      'UUID:             ',
      'Schedule host:    ',
      'Coschedule limit: -1',
      'Colocate:         ',
      'Backchannel:      true',
      'Tags:             {}',
    ].join('\n'),
  );
  assert.match(blocks[1]!, /\nQEMU Path: {16}kvm\n/);
  assert.match(blocks[1]!, /\nTPM Socket: {15}$/);
  assert.equal(
    blocks[2],
    [
      'Container configuration:',
      'Filesystem Path: ',
      'Hostname:        ',
      'Init:            [/init]',
      'Pre-init:        ',
      'FIFOs:           0',
      'Volumes:         ',
      '                 /scratch -> /tmp/v',
    ].join('\n'),
  );
});

test("nanomega's own container settings print as a fifth block once one is not the default", async () => {
  const { s } = await quiet();
  await s.exec('vm config tun true');
  const out = (await s.exec('vm config')).output;
  assert.equal(out.split('\n\n').at(-1), ['nanomega container configuration:', 'Capabilities: []', 'Seccomp:      true', 'TUN:          true'].join('\n'));
  await s.exec('clear vm config tun');
  assert.doesNotMatch((await s.exec('vm config')).output, /nanomega container configuration/);
});

test('.json vm config carries the configuration as Data', async () => {
  const { s } = await quiet();
  await s.exec('vm config memory 512');
  const [r] = JSON.parse((await s.exec('.json true vm config')).output) as { Data: Record<string, unknown> }[];
  assert.equal(r!.Data.Memory, 512);
  assert.equal(r!.Data.QemuPath, 'kvm');
  assert.deepEqual(r!.Data.Init, ['/init']);
});

test('every minimega field is accepted with its pattern: KVM fields take files-directory paths, bools only true/false', async () => {
  const { s } = await quiet();
  const run = async (line: string) => s.exec(line);
  for (const line of ['vm config cdrom foo', 'vm config initrd foo', 'vm config kernel foo', 'vm config state foo']) {
    assert.deepEqual((await run(line)).errors, [], line);
    assert.equal((await run(line.replace(/ foo$/, ''))).output, '/tmp/minimega/files/foo', line);
  }
  await run('vm config disk a');
  assert.equal((await run('vm config disk')).output, '[/tmp/minimega/files/a]');
  await run('vm config disk b c');
  assert.equal((await run('vm config disks')).output, '[/tmp/minimega/files/b /tmp/minimega/files/c]');
  await run('vm config qemu-append a b c');
  assert.equal((await run('vm config qemu-append')).output, '[a b c]');
  await run('clear vm config qemu-append');
  assert.equal((await run('vm config qemu-append')).output, '');
  assert.deepEqual((await run('vm config snapshot maybe')).errors, ['invalid command: `vm config snapshot maybe`']);
  await run('vm config snapshot f');
  assert.equal((await run('vm config snapshot')).output, 'false', 'choices match by prefix too');
  await run('vm config usb-use-xhci false');
  assert.equal((await run('vm config usb')).output, 'false');
  await run('vm config qemu-override a b');
  assert.equal((await run('vm config qemu-override')).output, 'id\tmatch\treplacement\n0\t"a"\t"b"');
  await run('vm config android-extra-args -x y');
  assert.equal((await run('vm config android-extra-args')).output, '[-x y]');
  await run('vm config net 100');
  assert.equal((await run('vm config networks')).output.includes('100'), true, 'net is a prefix of networks');
});

test('vm config restore lists saved configs, or says none are saved; launch can use a saved config', async () => {
  const e = new FakeEngine();
  const { s } = await quiet(e);
  assert.deepEqual((await s.exec('vm config restore')).errors, ['no vm configs saved']);
  await s.exec('vm config memory 64');
  await s.exec('vm config save small');
  await s.exec('vm config save other');
  assert.equal((await s.exec('vm config restore')).output, 'other\nsmall');
  await s.exec('clear vm config');
  await s.exec('vm launch container 2 small');
  const launch = e.calls.find((c) => c.name === 'vm.launch')!;
  assert.equal(launch.args[0], '2', 'a count goes to the engine, which names them from the namespace counter');
  assert.equal((launch.args[1] as { memory: number }).memory, 64);
  assert.deepEqual((await s.exec('vm launch container x nosuch')).errors, ['config nosuch does not exist']);
  await s.exec('vm launch container 1');
  assert.equal(e.calls.filter((c) => c.name === 'vm.launch').at(-1)!.args[0], '1');
});

test('vm config tags prints key -> value lines; clear vm config tag removes one key', async () => {
  const { s } = await quiet();
  await s.exec('vm config tag color red');
  assert.equal((await s.exec('vm config tag')).output, 'color -> red');
  await s.exec('vm config tag shape square');
  await s.exec('clear vm config tag color');
  assert.equal((await s.exec('vm config tags')).output, 'shape -> square');
  await s.exec('clear vm config tag');
  assert.equal((await s.exec('vm config tags')).output, '');
});

test('clear vm tag removes tags through the engine (all VMs, or a target and a key)', async () => {
  const e = new FakeEngine();
  const { s } = await quiet(e);
  await s.exec('clear vm tag');
  await s.exec('clear vm tag foo[0-1] color');
  await s.exec('clear vm tag foo0');
  assert.deepEqual(
    e.calls.map((c) => [c.name, ...c.args]),
    [
      ['vm.tag.clear', 'all'],
      ['vm.tag.clear', 'foo[0-1]', 'color'],
      ['vm.tag.clear', 'foo0'],
    ],
  );
});

test('vm net connect and disconnect take any target and report per-VM errors', async () => {
  const e = new FakeEngine();
  const { s } = await quiet(e);
  e.results = [{ id: 1, name: 'k1', error: 'no network 1, container only has 1 networks' }];
  assert.deepEqual((await s.exec('vm net connect all 1 LAN2 mega_bridge2')).errors, ['no network 1, container only has 1 networks']);
  await s.exec('vm net disconnect c0 0');
  assert.deepEqual(
    e.calls.map((c) => [c.name, ...c.args]),
    [
      ['vm.net.connect', 'all', 1, 'LAN2', 'mega_bridge2'],
      ['vm.net.disconnect', 'c0', 0],
    ],
  );
  assert.deepEqual((await s.exec('vm net disconnect c0 x')).errors, ['strconv.Atoi: parsing "x": invalid syntax']);
});

test('vm net add passes every netspec as typed and reports per-VM errors', async () => {
  const e = new FakeEngine();
  const { s } = await quiet(e);
  e.results = [{ id: 1, name: 'k1', error: 'invalid VLAN 5000 in netspec `5000` (0 <= vlan < 4096)' }];
  assert.deepEqual((await s.exec('vm net add k[1-2] LAN,10.0.0.9/24 5000')).errors, ['invalid VLAN 5000 in netspec `5000` (0 <= vlan < 4096)']);
  await s.exec('vm net add all');
  assert.deepEqual(
    e.calls.map((c) => [c.name, ...c.args]),
    [
      ['vm.net.add', 'k[1-2]', ['LAN,10.0.0.9/24', '5000']],
      ['vm.net.add', 'all', []],
    ],
  );
});

test('vm info shows a disconnected NIC as minimega does: [disconnected] on no bridge', async () => {
  const e = new FakeEngine();
  e.vms = [vm(0, 'c0', { nics: [{ vlan: 'disconnected', vlanId: 0, bridge: 'mega_bridge', tap: 't', mac: 'm', ip: '', ip6: '' }] })];
  const { s } = await quiet(e);
  assert.equal((await s.exec('.columns name,vlan,bridge vm info')).output, 'name | vlan           | bridge\nc0   | [disconnected] | []');
});

test("vm launch with queueing waits for vm launch; queue checks give minimega's texts", async () => {
  const e = new FakeEngine();
  const { s, lang } = await quiet(e);
  lang.scope('minimega').queueing = true;
  await s.exec('vm config uuid f4785e82-48c4-4cf2-95b8-f00918e111da');
  await s.exec('vm launch container 1');
  assert.deepEqual((await s.exec('vm launch container 1')).errors, ['vm already queued with UUID `f4785e82-48c4-4cf2-95b8-f00918e111da`']);
  assert.equal(e.calls.filter((c) => c.name === 'vm.launch').length, 0);
  await s.exec('vm launch');
  assert.equal(e.calls.filter((c) => c.name === 'vm.launch').length, 1);
  assert.deepEqual((await s.exec('vm launch')).errors, ['namespace must contain at least one queued VM to launch VMs']);
  e.vms = [vm(0, 'vm-0', { uuid: 'f4785e82-48c4-4cf2-95b8-f00918e111da' })];
  assert.deepEqual((await s.exec('vm launch container 1')).errors, ['vm already exists with UUID `f4785e82-48c4-4cf2-95b8-f00918e111da`']);
});

test('vm launch kvm is refused plainly', async () => {
  const { s } = await quiet();
  assert.deepEqual((await s.exec('vm launch kvm foo')).errors, ['kvm VMs are not supported by nanomega: use vm launch container']);
});
