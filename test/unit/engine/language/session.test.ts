import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine, session, vm } from './fake.js';

const nic = { vlan: 'LAN', vlanId: 101, bridge: 'mega_bridge', tap: 'mega_tap0', mac: '00:11:22:33:44:55', ip: '10.0.0.5', ip6: '' };

function lifecycle(): FakeEngine {
  const e = new FakeEngine();
  e.vms = [vm(1, 'foo1'), vm(0, 'foo0', { state: 'RUNNING', tags: { color: 'red' } }), vm(2, 'foo2', { nics: [nic] })];
  return e;
}

test('.columns picks columns by prefix and prints like minimega', async () => {
  const { s } = session(lifecycle());
  await s.exec('.annotate false');
  const r = await s.exec('.columns name,state vm info');
  assert.deepEqual(r, { output: 'name | state\nfoo0 | RUNNING\nfoo1 | BUILDING\nfoo2 | BUILDING', errors: [] });
  assert.equal((await s.exec('.columns na,sta vm info')).output.split('\n')[0], 'name | state');
});

test('.columns reports unknown and ambiguous columns', async () => {
  const { s } = session(lifecycle());
  assert.deepEqual((await s.exec('.columns bogus vm info')).errors, ['no such column `bogus`']);
  assert.deepEqual((await s.exec('.columns i vm info')).errors, ['ambiguous column `i`']);
  assert.equal((await s.exec('.columns ip vm info')).errors.length, 0, 'an exact name wins over ip6');
});

test('KVM-only columns are accepted and print N/A', async () => {
  const { s } = session(lifecycle());
  const r = await s.exec('.annotate false .columns id,vnc_port,kernel vm info');
  assert.equal(r.output, 'id   | vnc_port | kernel\n0    | N/A      | N/A\n1    | N/A      | N/A\n2    | N/A      | N/A');
});

test('vm info prints every container column in order with minimega formatting', async () => {
  const { s } = session(lifecycle());
  const r = await s.exec('.annotate false .filter name=foo2 vm info');
  const [header, row] = r.output.split('\n').map((l) => l.split(/\s*\|\s*/));
  assert.deepEqual(header, [
    'id',
    'name',
    'state',
    'uptime',
    'type',
    'uuid',
    'cc_active',
    'pid',
    'vlan',
    'bridge',
    'tap',
    'mac',
    'ip',
    'ip6',
    'qos',
    'qinq',
    'bond',
    'memory',
    'vcpus',
    'disks',
    'snapshot',
    'initrd',
    'kernel',
    'cdrom',
    'save',
    'append',
    'serial-ports',
    'virtio-ports',
    'vnc_port',
    'usb-use-xhci',
    'tpm-socket',
    'bidirectional-copy-paste',
    'android_avd',
    'android_console_port',
    'android_adb_port',
    'android_serial',
    'filesystem',
    'hostname',
    'init',
    'preinit',
    'fifo',
    'volume',
    'console_port',
    'tags',
  ]);
  assert.equal(header!.length, 44);
  const cell = (name: string) => row![header!.indexOf(name)];
  assert.equal(cell('vlan'), '[LAN (101)]');
  assert.equal(cell('bridge'), '[mega_bridge]');
  assert.equal(cell('ip6'), '[]');
  assert.equal(cell('type'), 'container');
  assert.equal(cell('init'), '[/init]');
  assert.equal(cell('volume'), '{}');
  assert.equal(cell('hostname'), 'foo2');
  assert.equal(cell('console_port'), '/run/nanomega/2/console');
  assert.equal(cell('cc_active'), 'false');
  assert.equal(cell('qos'), '[]');
  assert.equal(cell('bond'), '[]');
  assert.equal(cell('kernel'), 'N/A');
  assert.equal(cell('android_serial'), 'N/A');
});

test('vm info summary has the summary columns', async () => {
  const { s } = session(lifecycle());
  const r = await s.exec('.annotate false vm info summary');
  assert.equal(r.output.split('\n')[0], 'id   | name | state    | type      | uuid   | cc_active | vlan');
});

test('.filter supports =, !=, ~ and !~, case-insensitively, and substring on lists and maps', async () => {
  const { s } = session(lifecycle());
  await s.exec('.annotate false');
  const names = async (f: string) => (await s.exec(`.columns name .filter ${f} vm info`)).output.split('\n').slice(1);
  assert.deepEqual(await names('state=running'), ['foo0']);
  assert.deepEqual(await names('state!=RUNNING'), ['foo1', 'foo2']);
  assert.deepEqual(await names('name~o1'), ['foo1']);
  assert.deepEqual(await names('name!~o1'), ['foo0', 'foo2']);
  assert.deepEqual(await names('tags=red'), ['foo0']);
  assert.deepEqual(await names('vlan=lan'), ['foo2']);
  assert.deepEqual((await s.exec('.filter nope=1 vm info')).errors, ['no such column `nope`']);
  assert.deepEqual((await s.exec('.filter nonsense vm info')).errors, ['invalid filter, see help']);
});

test('.annotate adds a host column (and a host prefix on text) and is on by default', async () => {
  const { s } = session(lifecycle());
  const r = await s.exec('.columns name vm info');
  assert.equal(r.output, 'host    | name\nlabhost | foo0\nlabhost | foo1\nlabhost | foo2');
  assert.equal((await s.exec('.annotate')).output, 'labhost: true');
  assert.equal((await s.exec('vm config memory')).output, 'labhost: 2048');
});

test('.headers false drops the header row and .sort false keeps engine order', async () => {
  const { s } = session(lifecycle());
  await s.exec('.annotate false');
  assert.equal((await s.exec('.headers false .columns name vm info')).output, 'foo0\nfoo1\nfoo2');
  const e = new FakeEngine();
  e.vms = [vm(0, 'b'), vm(1, 'a')];
  const t = session(e).s;
  assert.equal((await t.exec('.annotate false .sort false .columns name vm info')).output, 'name\nb\na');
  assert.equal((await t.exec('.annotate false .columns name vm info')).output, 'name\na\nb');
});

test('.csv and .json render the same table', async () => {
  const e = new FakeEngine();
  e.vms = [vm(0, 'a,b')];
  const { s } = session(e);
  await s.exec('.annotate false');
  assert.equal((await s.exec('.csv true .columns id,name vm info')).output, 'id,name\n0,"a,b"');
  assert.equal(
    (await s.exec('.json true .columns id,name vm info')).output,
    '[{"Host":"labhost","Response":"","Header":["id","name"],"Tabular":[["0","a,b"]],"Error":"","Data":null}]'.replace('"Data":null', await dataOf(s)),
  );
});

async function dataOf(s: { exec(l: string): Promise<{ output: string }> }): Promise<string> {
  const all = JSON.parse((await s.exec('.json true vm info')).output) as { Data: unknown }[];
  return `"Data":${JSON.stringify(all[0]!.Data)}`;
}

test('a dot-command with only true or false becomes the session default', async () => {
  const { s } = session(lifecycle());
  await s.exec('.csv true');
  assert.equal((await s.exec('.csv')).output, 'labhost: true');
  assert.equal((await s.exec('.annotate false .columns name vm info')).output, 'name\nfoo0\nfoo1\nfoo2');
  await s.exec('.json true');
  assert.equal((await s.exec('.json')).output, '[{"Host":"labhost","Response":"true","Header":null,"Tabular":null,"Error":"","Data":null}]');
  await s.exec('.json false');
  assert.equal((await s.exec('.json')).output, 'labhost: false');
  assert.equal((await s.exec('.annotate false .csv')).output, 'false', 'json replaced csv');
});

test('dot-commands nest outer over inner', async () => {
  const { s } = session(lifecycle());
  const r = await s.exec('.annotate false .columns name .filter state=running vm info');
  assert.equal(r.output, 'name\nfoo0');
  const both = await s.exec('.annotate true .annotate false .columns name .filter state=running vm info');
  assert.equal(both.output, 'host    | name\nlabhost | foo0');
});

test('vm launch passes the names and the current config, and surfaces per-container errors', async () => {
  const e = new FakeEngine();
  const { s, deps } = session(e);
  await s.exec('vm config memory 512');
  e.results = [
    { id: 0, name: 'a', error: 'no such filesystem' },
    { id: 1, name: 'b' },
  ];
  const r = await s.exec('vm launch container a,b');
  assert.deepEqual(r, { output: '', errors: ['no such filesystem'] });
  const launch = e.calls.find((c) => c.name === 'vm.launch')!;
  assert.equal(launch.args[0], 'a,b');
  assert.deepEqual(launch.args[1], deps.config.current);
});

test('vm launch refuses bad names before calling the engine', async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  assert.deepEqual((await s.exec('vm launch container foo,all')).errors, ['invalid vm name, `all` is a reserved word']);
  assert.deepEqual((await s.exec('vm launch container 0')).errors, ['invalid number of vms (must be > 0)']);
  assert.deepEqual((await s.exec('vm launch container a[1-')).errors, ["unterminated '['"]);
  await s.exec('vm config uuid 67fd0bd5-d419-4ec2-94a7-077f52450e7a');
  assert.deepEqual((await s.exec('vm launch container 2')).errors, ['cannot launch multiple VMs with a pre-configured UUID']);
  assert.equal(e.calls.filter((c) => c.name === 'vm.launch').length, 0);
});

test('a thrown engine error becomes one error line', async () => {
  const e = new FakeEngine();
  e.throwOn = 'vm.start';
  const { s } = session(e);
  assert.deepEqual(await s.exec('vm start all'), { output: '', errors: ['boom in vm.start'] });
});

test('start, stop, kill and flush call the engine with the target', async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  await s.exec('vm start foo[0-1]');
  await s.exec('vm stop all');
  await s.exec('vm kill 3');
  await s.exec('vm flush');
  await s.exec('vm flush foo0');
  assert.deepEqual(
    e.calls.map((c) => [c.name, ...c.args]),
    [['vm.start', 'foo[0-1]'], ['vm.stop', 'all'], ['vm.kill', '3'], ['vm.flush'], ['vm.flush', 'foo0']],
  );
});

test('vm tag sets through the engine and prints tables like minimega', async () => {
  const e = lifecycle();
  const { s } = session(e);
  await s.exec('.annotate false');
  await s.exec('vm tag foo1 color blue');
  assert.deepEqual(e.calls.at(-1), { name: 'vm.tag', args: ['foo1', 'color', 'blue'] });
  assert.equal((await s.exec('vm tag all')).output, 'name | tag   | value\nfoo0 | color | red');
  assert.equal((await s.exec('vm tag foo[0-1] color')).output, 'name | value\nfoo0 | red\nfoo1 |');
  assert.deepEqual((await s.exec('vm tag nope')).errors, ['vm not found: nope']);
});

test('vm config getters, setters, save, restore and clone work through the CLI', async () => {
  const e = lifecycle();
  e.vms[0]!.config = { ...e.vms[0]!.config, memory: 300, uuid: 'fixed' };
  const { s, deps } = session(e);
  await s.exec('.annotate false');
  assert.equal((await s.exec('vm config memory')).output, '2048');
  assert.deepEqual((await s.exec('vm config memory foo')).errors, ['strconv.ParseUint: parsing "foo": invalid syntax']);
  await s.exec('vm config tag color red');
  await s.exec('vm config tag shape square');
  assert.equal((await s.exec('vm config tag')).output, 'color -> red\nshape -> square');
  assert.equal((await s.exec('vm config tags color')).output, 'red');
  await s.exec('clear vm config tag color');
  assert.equal((await s.exec('vm config tag')).output, 'shape -> square');
  await s.exec('vm config volume /scratch /tmp/minivolume');
  assert.equal((await s.exec('vm config volume')).output, '/scratch -> /tmp/minivolume');
  await s.exec('vm config filesystem $images/minicccfs');
  assert.equal(deps.config.current.filesystem, '/srv/images/minicccfs');
  await s.exec('vm config save mine');
  await s.exec('clear vm config');
  assert.equal((await s.exec('vm config filesystem')).output, '');
  await s.exec('vm config restore mine');
  assert.equal((await s.exec('vm config filesystem')).output, '/srv/images/minicccfs');
  assert.deepEqual((await s.exec('vm config restore other')).errors, ['config other does not exist']);
  await s.exec('vm config clone foo1');
  assert.equal(deps.config.current.memory, 300);
  assert.equal(deps.config.current.uuid, '');
  assert.match((await s.exec('vm config')).output, /^VM configuration:\nMemory:           300\nVCPUs:            1\n/);
});

test('vm screenshot answers as minimega does for containers: the dimension, then the VM, then no framebuffer', async () => {
  const e = lifecycle();
  const { s } = session(e);
  const errors = async (line: string) => (await s.exec(line)).errors;
  assert.deepEqual(await errors('vm screenshot foo1'), ['cannot take screenshot of container']);
  assert.deepEqual(await errors('vm screenshot 2 100'), ['cannot take screenshot of container'], 'a number is an id');
  assert.deepEqual(await errors(`vm screenshot ${e.vms[0]!.uuid} file /tmp/shot.png 50`), ['cannot take screenshot of container'], 'or a UUID');
  assert.deepEqual(await errors('vm screenshot foo1 big'), ['strconv.Atoi: parsing "big": invalid syntax']);
  assert.deepEqual(await errors('vm screenshot nope file /tmp/shot.png'), ['vm not found: nope']);
  assert.deepEqual(await errors('vm screenshot 7'), ['vm not found: 7']);
  assert.deepEqual(await errors('vm screenshot'), ['invalid command: `vm screenshot`']);
});

test('an unknown command gets minicli’s error', async () => {
  const { s } = session();
  assert.deepEqual(await s.exec('vm frobnicate'), { output: '', errors: ['invalid command: `vm frobnicate`'] });
  assert.deepEqual(await s.exec('.json maybe vm info'), { output: '', errors: ['invalid command: `.json maybe vm info`'] });
});

test('comments and blank lines run nothing', async () => {
  const { s, engine } = session();
  assert.deepEqual(await s.exec('# vm kill all'), { output: '', errors: [] });
  assert.deepEqual(await s.exec('   '), { output: '', errors: [] });
  assert.equal(engine.calls.length, 0);
});
