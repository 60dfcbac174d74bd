import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine, session } from './fake.js';

test("tap create follows minimega's patterns: bridge, name, dhcp, ip", async () => {
  const e = new FakeEngine();
  e.answers.set('tap.create', { name: 'x', bridge: 'mega_bridge', vlan: '5', vlanId: 5, ip: '', dhcp: false });
  const { s } = session(e);
  const lines = [
    'tap create 5',
    'tap create 10 bridge minitest name minitest_tap0',
    'tap create 10 bridge minitest ip 192.168.100.1 minitest_tap1',
    'tap create LAN dhcp',
    'tap create 0 ip 10.0.0.1/24 t0',
  ];
  for (const l of lines) assert.deepEqual((await s.exec(l)).errors, [], l);
  assert.deepEqual(
    e.calls.filter((c) => c.name === 'tap.create').map((c) => c.args[0]),
    [
      { vlan: '5' },
      { vlan: '10', bridge: 'minitest', name: 'minitest_tap0' },
      { vlan: '10', bridge: 'minitest', ip: '192.168.100.1', name: 'minitest_tap1' },
      { vlan: 'LAN', dhcp: true },
      { vlan: '0', ip: '10.0.0.1/24', name: 't0' },
    ],
  );
  for (const bad of ['tap create', 'tap create 5 ip', 'tap create 5 bridge']) assert.notDeepEqual((await s.exec(bad)).errors, [], bad);
});

test('tap lists bridge | tap | vlan with aliases as minimega prints them; create prints the name', async () => {
  const e = new FakeEngine();
  e.answers.set('tap.list', [
    { name: 'mega_tap3', bridge: 'mega_bridge', vlan: 'LAN', vlanId: 101, ip: '', dhcp: true },
    { name: 't0', bridge: 'mega_bridge', vlan: '0', vlanId: 0, ip: '10.0.0.1/24', dhcp: false },
  ]);
  e.answers.set('tap.create', { name: 'mega_tap4', bridge: 'mega_bridge', vlan: '5', vlanId: 5, ip: '', dhcp: false });
  const { s } = session(e);
  await s.exec('.annotate false');
  assert.deepEqual(await s.exec('tap'), {
    output: 'bridge      | tap       | vlan\nmega_bridge | mega_tap3 | LAN (101)\nmega_bridge | t0        | 0',
    errors: [],
  });
  assert.deepEqual(await s.exec('tap create 5'), { output: 'mega_tap4', errors: [] });
  await s.exec('tap delete all');
  await s.exec('clear tap');
  assert.deepEqual(
    e.calls.filter((c) => c.name === 'tap.delete').map((c) => c.args),
    [['all'], ['all']],
  );
  // tap mirror: both of minimega's forms, told apart by their arity; clear by name, by VM, or all.
  for (const line of [
    'tap mirror mega_tap0 mega_tap2',
    'tap mirror t0 t1 br2',
    'tap mirror a 0 mon 1',
    'clear tap mirror',
    'clear tap mirror mega_tap2',
    'clear tap mirror mon all',
  ])
    assert.deepEqual((await s.exec(line)).errors, [], line);
  assert.deepEqual(
    e.calls.filter((c) => c.name.startsWith('tap.mirror')).map((c) => [c.name, c.args[0]]),
    [
      ['tap.mirror.clear', {}], // from the clear tap above, before its taps go
      ['tap.mirror', { src: 'mega_tap0', dst: 'mega_tap2' }],
      ['tap.mirror', { src: 't0', dst: 't1', bridge: 'br2' }],
      ['tap.mirror', { vm: 'a', index: '0', vm2: 'mon', index2: '1' }],
      ['tap.mirror.clear', {}],
      ['tap.mirror.clear', { name: 'mega_tap2' }],
      ['tap.mirror.clear', { vm: 'mon', index: 'all' }],
    ],
  );
});

test('dnsmasq: list columns, start forms, kill, and configure listings with minimega headers', async () => {
  const e = new FakeEngine();
  e.answers.set('dnsmasq.list', [
    { id: 0, address: '10.0.0.1', min: '10.0.0.10', max: '10.0.0.20', path: '/b/dnsmasq/0', pid: 77, interface: 't0', config: '' },
  ]);
  e.answers.set('dnsmasq.configure', [{ id: 0, key: '', value: '1.1.1.1' }]);
  const { s } = session(e);
  await s.exec('.annotate false');
  assert.equal(
    (await s.exec('dnsmasq')).output,
    'id   | address  | min       | max       | path         | pid\n0    | 10.0.0.1 | 10.0.0.10 | 10.0.0.20 | /b/dnsmasq/0 | 77',
  );
  await s.exec('dnsmasq start 10.0.0.1 10.0.0.10 10.0.0.20');
  await s.exec('dnsmasq start /etc/lab.conf');
  await s.exec('dnsmasq kill all');
  assert.deepEqual(
    e.calls.filter((c) => c.name.startsWith('dnsmasq.') && c.name !== 'dnsmasq.list').map((c) => [c.name, ...c.args]),
    [
      ['dnsmasq.start', '10.0.0.1', '10.0.0.10', '10.0.0.20', undefined],
      ['dnsmasq.start', '', '', '', '/etc/lab.conf'],
      ['dnsmasq.kill', 'all'],
    ],
  );
  assert.equal((await s.exec('dnsmasq configure 0 dns upstream')).output, 'id   | upstream server\n0    | 1.1.1.1');
  await s.exec('dnsmasq configure 0 dns upstream server 8.8.8.8');
  await s.exec('dnsmasq configure all ip 02:00:00:00:00:01 10.0.0.5');
  const cfg = e.calls.filter((c) => c.name === 'dnsmasq.configure').map((c) => c.args);
  assert.deepEqual(cfg.slice(1), [
    ['0', 'upstream', ['8.8.8.8']],
    ['all', 'ip', ['02:00:00:00:00:01', '10.0.0.5']],
  ]);
  assert.match((await s.exec('dnsmasq configure 0 bogus')).errors[0]!, /invalid command/);
  assert.match((await s.exec('dnsmasq start 10.0.0.1 10.0.0.10')).errors[0]!, /invalid command/);
});

test("host: minimega's columns in its order with the host column, or one field", async () => {
  const e = new FakeEngine();
  e.answers.set('host.info', {
    name: 'lab1',
    cpus: 2,
    load: '0.31 0.28 0.24',
    memUsedMB: 1000,
    memTotalMB: 24000,
    rxMBps: 1.26,
    txMBps: 0,
    vms: 3,
    vmLimit: -1,
    androidVms: 0,
    cpuCommit: 3,
    memCommit: 6144,
    netCommit: 2,
    uptimeMs: 259385120,
  });
  const { s } = session(e);
  await s.exec('.annotate false');
  assert.deepEqual(
    (await s.exec('host')).output.split('\n').map((l) => l.split('|').map((c) => c.trim())),
    [
      ['cpus', 'load', 'memused', 'memtotal', 'rx', 'tx', 'vms', 'vmlimit', 'androidvms', 'cpucommit', 'memcommit', 'netcommit', 'uptime'],
      ['2', '0.31 0.28 0.24', '1000', '24000', '1.3', '0.0', '3', '-1', '0', '3', '6144', '2', '72h3m5.12s'],
    ],
  );
  assert.deepEqual(await s.exec('host name'), { output: 'lab1', errors: [] });
  assert.deepEqual(await s.exec('host memc'), { output: '6144', errors: [] }, 'a unique prefix of the field');
  assert.deepEqual(await s.exec('host uptime'), { output: '72h3m5.12s', errors: [] });
});
