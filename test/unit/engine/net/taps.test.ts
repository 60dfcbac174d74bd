import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../../../engine/errors.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { netHostOf } from '../../../../engine/net/net-host.js';
import { Network } from '../../../../engine/net/network.js';
import { HostTaps, portName } from '../../../../engine/net/taps.js';

const BASE = '/base';

function setup(opts: { backend?: 'linux' | 'ovs'; mode?: 'vlan-filtering' | 'bridge-per-vlan' } = {}) {
  const host = new FakeHost();
  host.runResult = (argv) => ({ code: 0, stdout: argv.join(' ') === 'ip -j link show' ? '[]' : '', stderr: '' });
  if (opts.backend === 'ovs') host.dirs.add('/sys/module/openvswitch');
  const network = new Network({ stateDir: BASE, host: netHostOf(host), backend: opts.backend, linuxMode: opts.mode ?? 'bridge-per-vlan' });
  const taps = new HostTaps(host, network, BASE);
  const runs = () => host.calls.filter((c) => c.op === 'run') as { op: 'run'; argv: readonly string[]; input?: string }[];
  return { host, network, taps, runs };
}

test('tap create on the per-VLAN-bridge backend: an ip batch makes the bridge, another brings it up with the pair and the address', async () => {
  const { taps, runs, network } = setup();
  const t = await taps.create({ vlan: '5', ip: '10.0.0.1/24', name: 't0' });
  assert.deepEqual(t, { name: 't0', namespace: 'minimega', bridge: 'mega_bridge', vlan: '5', vlanId: 5, ip: '10.0.0.1/24', dhcp: false });
  const port = portName(network.tag, 't0');
  const [made, attach] = runs().filter((r) => r.argv.join(' ') === 'ip -batch -');
  assert.deepEqual(made!.input!.trim().split('\n'), [
    'link add name mega_bridge.5 type bridge mcast_snooping 0',
    `link set mega_bridge.5 alias "nanomega:${network.tag} bridge mega_bridge"`,
  ]);
  // The host end t0 keeps its IPv6: the host is on the VLAN through it, as asked.
  assert.deepEqual(attach!.input!.trim().split('\n'), [
    'link set mega_bridge.5 up',
    `link add t0 type veth peer name ${port}`,
    `link set t0 alias "nanomega:${network.tag} host t0"`,
    `link set ${port} alias "nanomega:${network.tag} host t0 port"`,
    `link set ${port} addrgenmode none`,
    'link set t0 up',
    'addr add 10.0.0.1/24 dev t0',
    `link set ${port} master mega_bridge.5 up`,
  ]);
});

test('tap create on a vlan_filtering bridge makes the peer an untagged access port of the VLAN', async () => {
  const { taps, runs, network } = setup({ mode: 'vlan-filtering' });
  await taps.create({ vlan: 'LAN', bridge: 'br1', name: 't1' });
  const port = portName(network.tag, 't1');
  const ip = runs()
    .filter((r) => r.argv.join(' ') === 'ip -batch -')
    .map((r) => r.input!)
    .join('');
  assert.match(ip, /^link add name br1 type bridge mcast_snooping 0 vlan_filtering 1$/m);
  assert.match(ip, new RegExp(`^link set ${port} master br1 up$`, 'm'));
  assert.doesNotMatch(ip, /addr add/);
  const br = runs().find((r) => r.argv.join(' ') === 'bridge -batch -')!.input!;
  assert.equal(br, `vlan add dev ${port} vid 101 pvid untagged\nvlan del dev ${port} vid 1\n`);
});

test('tap create on Open vSwitch adds the peer as an access port with tag=VLAN', async () => {
  const { host, taps, runs, network } = setup({ backend: 'ovs' });
  host.runResult = (argv) => ({ code: argv[1] === 'br-exists' ? 2 : 0, stdout: argv.join(' ') === 'ip -j link show' ? '[]' : '', stderr: '' });
  await taps.create({ vlan: '7', name: 't2' });
  const port = portName(network.tag, 't2');
  const ovs = runs().find((r) => r.argv[0] === 'ovs-vsctl' && r.argv.includes('add-port'))!;
  assert.deepEqual(ovs.argv.slice(-6), ['--', '--may-exist', 'add-port', 'mega_bridge', port, 'tag=7']);
  assert.ok(ovs.argv.includes('add-br'), 'the bridge is created with the port');
});

test('names come from the mega_tapN counter shared with container NICs; records survive a restart', async () => {
  const { host, taps, network } = setup();
  await network.attach({ id: 1, nics: [{ bridge: '', vlan: '5', mac: '', ip: '' }] }, 42);
  const t = await taps.create({ vlan: '5' });
  assert.equal(t.name, 'mega_tap1');
  const again = new HostTaps(host, new Network({ stateDir: BASE, host: netHostOf(host), linuxMode: 'bridge-per-vlan' }), BASE);
  assert.deepEqual(
    (await again.list()).map((x) => [x.name, x.vlanId]),
    [['mega_tap1', 5]],
  );
});

test('a second tap with the same name is refused naming it, and nothing runs', async () => {
  const { taps, runs } = setup();
  await taps.create({ vlan: '5', name: 'dup' });
  const before = runs().length;
  await assert.rejects(
    taps.create({ vlan: '5', name: 'dup' }),
    (e: EngineError) => e.code === 'E_EXISTS' && e.message === 'tap already on bridge' && e.detail?.path === 'dup',
  );
  assert.equal(runs().length, before);
});

test('an interface the host already has is refused', async () => {
  const { host, taps } = setup();
  host.dirs.add('/sys/class/net/eth0');
  await assert.rejects(taps.create({ vlan: '5', name: 'eth0' }), /interface eth0 already exists on this host/);
  assert.deepEqual(await taps.list(), []);
});

test('bad input names the value and makes nothing', async () => {
  const { taps, runs } = setup();
  const cases: [Parameters<HostTaps['create']>[0], RegExp][] = [
    [{ vlan: '5', ip: '10.0.0.300/24' }, /invalid ip address `10.0.0.300\/24`/],
    [{ vlan: '5', ip: '10.0.0.1/33' }, /`10.0.0.1\/33`/],
    [{ vlan: '5', name: 'has space' }, /`has space`/],
    [{ vlan: '5', name: 'much-too-long-name' }, /`much-too-long-name`/],
    [{ vlan: '5', name: '..' }, /`\.\.`/],
    [{ vlan: '5', name: 'all' }, /`all` is a reserved word/],
    [{ vlan: '5', bridge: 'bad/br' }, /`bad\/br`/],
    [{ vlan: '5', ip: '10.0.0.1/24', dhcp: true }, /ip or dhcp, not both/],
    [{ vlan: 'bad vlan!' }, /bad vlan!/],
  ];
  for (const [req, re] of cases) await assert.rejects(taps.create(req), re, JSON.stringify(req));
  assert.equal(runs().filter((r) => r.argv[0] !== 'ip' || r.argv[1] !== '-j').length, 0);
  assert.deepEqual(await taps.list(), []);
});

test('tap delete removes the pair and forgets it; delete all empties the list; an unknown name is an error', async () => {
  const { host, taps, runs, network } = setup();
  await taps.create({ vlan: '5', name: 'a' });
  await taps.create({ vlan: '6', name: 'b' });
  host.dirs.add('/sys/class/net/a');
  host.dirs.add('/sys/class/net/b');
  await taps.delete('a');
  assert.ok(runs().some((r) => r.input === 'link del a\n'));
  assert.deepEqual(
    (await taps.list()).map((t) => t.name),
    ['b'],
  );
  await assert.rejects(taps.delete('nope'), /unknown tap: nope$/);
  // A container NIC's host end (our alias, not a host tap's) is minimega's `not a host tap`.
  host.runResult = (argv) => ({
    code: 0,
    stdout: argv.join(' ') === 'ip -j link show' ? JSON.stringify([{ ifname: 'mega_tap3', ifalias: `nanomega:${network.tag} vm 1 nic 0` }]) : '',
    stderr: '',
  });
  await assert.rejects(taps.delete('mega_tap3'), /not a host tap: mega_tap3$/);
  await taps.delete('all');
  assert.deepEqual(await taps.list(), []);
  assert.ok(!(await host.exists('/base/taps/state.json')), 'no record file is left');
});

test('tap create … dhcp runs dhclient with our script; no lease removes the tap again', async () => {
  const { host, taps } = setup();
  host.runResult = (argv) => {
    if (argv[0] === 'dhclient') return { code: 2, stdout: '', stderr: 'Unable to obtain a lease on first try.  Exiting.\n' };
    if (argv.join(' ') === 'ip -batch -') host.dirs.add('/sys/class/net/d0');
    return { code: 0, stdout: argv.join(' ') === 'ip -j link show' ? '[]' : '', stderr: '' };
  };
  await assert.rejects(taps.create({ vlan: '5', dhcp: true, name: 'd0' }), /dhcp on d0: no lease within 20 s \(Unable to obtain a lease/);
  const dh = host.calls.find((c) => c.op === 'run' && c.argv[0] === 'dhclient') as { argv: readonly string[] };
  assert.deepEqual(dh.argv.slice(-3), ['-lf', '/base/taps/d0/dhclient.leases', 'd0']);
  assert.ok(dh.argv.includes('-sf') && dh.argv.includes('/base/taps/d0/dhclient-script'));
  const script = host.calls.find((c) => c.op === 'writeFileAtomic' && c.path === '/base/taps/d0/dhclient-script') as { data: string };
  assert.match(script.data, /addr replace/);
  assert.doesNotMatch(script.data, /ip (-4 )?route|\/etc\/resolv/, 'the host keeps its routes and resolver');
  assert.ok(!(await host.exists('/base/taps/d0')), "the client's files go with the tap");
  assert.deepEqual(await taps.list(), []);
  assert.ok(host.calls.some((c) => c.op === 'run' && (c as { input?: string }).input === 'link del d0\n'));
});

test('reconcile forgets taps whose link vanished and deletes tagged host links nobody recorded', async () => {
  const { host, taps, network } = setup();
  await taps.create({ vlan: '5', name: 'kept' });
  await taps.create({ vlan: '5', name: 'gone' });
  host.dirs.add('/sys/class/net/kept');
  const stray = [
    { ifname: 'orphan', ifalias: `nanomega:${network.tag} host orphan` },
    { ifname: 'mega_tap9', ifalias: `nanomega:${network.tag} tap c9 nic0` },
  ];
  host.runResult = (argv) => ({ code: 0, stdout: argv.join(' ') === 'ip -j link show' ? JSON.stringify(stray) : '', stderr: '' });
  const notes = await taps.reconcile();
  assert.deepEqual(
    (await taps.list()).map((t) => t.name),
    ['kept'],
  );
  assert.match(notes.join('\n'), /tap gone was gone/);
  assert.match(notes.join('\n'), /orphan/);
  const dels = host.calls.filter((c) => c.op === 'run' && (c as { input?: string }).input?.startsWith('link del')).map((c) => (c as { input?: string }).input);
  assert.ok(dels.includes('link del orphan\n'));
  assert.ok(!dels.some((d) => d!.includes('mega_tap9')), 'container NICs are not host taps');
});

test('a tap made in a namespace takes its VLAN alias there; list and delete all stay inside the namespace', async () => {
  const { taps, network } = setup();
  await network.allocateVlans(['LAN']);
  await network.allocateVlans(['LAN'], 'lab');
  const a = await taps.create({ vlan: 'LAN', name: 'ta' });
  const b = await taps.create({ vlan: 'LAN', name: 'tb' }, 'lab');
  assert.deepEqual([a.vlanId, b.vlanId], [101, 102], 'LAN is 101 in minimega and 102 in lab');
  assert.deepEqual(
    (await taps.list('lab')).map((t) => t.name),
    ['tb'],
  );
  assert.deepEqual(
    (await taps.list()).map((t) => t.name),
    ['ta', 'tb'],
  );
  // A named tap of another namespace is refused as minimega refuses it, and stays.
  await assert.rejects(taps.delete('ta', 'lab'), /^EngineError: not a host tap in active namespace$/);
  await assert.rejects(taps.delete('tb', 'minimega'), /not a host tap in active namespace/);
  await taps.delete('all', 'lab');
  assert.deepEqual(
    (await taps.list()).map((t) => `${t.namespace}/${t.name}`),
    ['minimega/ta'],
  );
});
