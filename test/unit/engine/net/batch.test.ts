import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerLines, deleteLines, hostNicLines } from '../../../../engine/net/batch.js';
import { batchArgv, deviceOf, failedLine, netError } from '../../../../engine/net/ip.js';
import { accessPortLines, perVlanName, LinuxBridge } from '../../../../engine/net/linux-bridge.js';
import { addPortsArgv } from '../../../../engine/net/ovs-bridge.js';
import { FakeNetHost } from './fake-net-host.js';

test('host side creates the peer directly in the container netns, then marks the host end', () => {
  assert.deepEqual(hostNicLines('mega_tap7', 'veth0', '02:6d:00:00:00:07', 4242, 'nanomega:abc tap c3 nic0'), [
    'link add mega_tap7 type veth peer name veth0 address 02:6d:00:00:00:07 netns 4242',
    'link set mega_tap7 alias "nanomega:abc tap c3 nic0"',
    'link set mega_tap7 addrgenmode none',
  ]);
});

test('container side brings lo and each nic up and assigns configured addresses', () => {
  assert.deepEqual(
    containerLines([
      { ifname: 'veth0', ip: '10.199.0.1/24' },
      { ifname: 'veth1', ip: '' },
    ]),
    ['link set lo up', 'link set veth0 up', 'addr add 10.199.0.1/24 dev veth0', 'link set veth1 up'],
  );
  assert.deepEqual(deleteLines(['a', 'b']), ['link del a', 'link del b']);
});

test('batch argv: plain, forced, inside a netns', () => {
  assert.deepEqual(batchArgv('ip', {}), ['ip', '-batch', '-']);
  assert.deepEqual(batchArgv('bridge', { force: true }), ['bridge', '-force', '-batch', '-']);
  assert.deepEqual(batchArgv('ip', { netnsPid: 12 }), ['nsenter', '--net=/proc/12/ns/net', '--', 'ip', '-batch', '-']);
});

test('errors name the op, the device of the failed line and the stderr', () => {
  assert.equal(failedLine('RTNETLINK answers: File exists\nCommand failed -:3\n'), 3);
  assert.equal(deviceOf('link add mega_tap3 type veth peer name veth0'), 'mega_tap3');
  assert.equal(deviceOf('link add name br0 type bridge'), 'br0');
  assert.equal(deviceOf('vlan add dev mega_tap3 vid 5 pvid untagged'), 'mega_tap3');
  const e = netError('attach c3', 'mega_tap3', 'RTNETLINK answers: File exists\nCommand failed -:3\n');
  assert.equal(e.code, 'E_HOST');
  assert.equal(e.message, 'attach c3: mega_tap3: RTNETLINK answers: File exists');
});

test('access port lines add the vlan as pvid untagged and drop the default vid', () => {
  assert.deepEqual(accessPortLines('t0', 101, [1]), ['vlan add dev t0 vid 101 pvid untagged', 'vlan del dev t0 vid 1']);
  assert.deepEqual(accessPortLines('t0', 1, [1]), ['vlan add dev t0 vid 1 pvid untagged']);
  assert.deepEqual(accessPortLines('t0', 7, [0]), ['vlan add dev t0 vid 7 pvid untagged']);
});

test('per-vlan bridge names fit IFNAMSIZ and stay distinct', () => {
  assert.equal(perVlanName('nmtest_br0', 101), 'nmtest_br0.101');
  const a = perVlanName('mega_bridge', 4094);
  const b = perVlanName('mega_bridgeX', 4094);
  assert.ok(a.length <= 15 && b.length <= 15 && a !== b, `${a} ${b}`);
  assert.ok(a.endsWith('.4094'));
});

test('linux bridge plan: an ip batch creates and marks, the host is taken off, another brings up and enslaves; bridge batch sets vlans', async () => {
  const host = new FakeNetHost();
  const owned = new Map<string, string>();
  const lb = new LinuxBridge(host, 'tag1', owned, 'vlan-filtering');
  const plan = await lb.planPorts(
    [
      { bridge: 'br0', port: 'tap0', vlan: 101 },
      { bridge: 'br0', port: 'tap1', vlan: 102 },
    ],
    ['PRELUDE'],
  );
  assert.deepEqual(plan.create, ['link add name br0 type bridge mcast_snooping 0 vlan_filtering 1', 'link set br0 alias "nanomega:tag1 bridge br0"']);
  assert.deepEqual(plan.isolate, ['br0']);
  assert.deepEqual(plan.ip, ['link set br0 up', 'PRELUDE', 'link set tap0 master br0 up', 'link set tap1 master br0 up']);
  assert.deepEqual(plan.bridge, [
    'vlan add dev tap0 vid 101 pvid untagged',
    'vlan del dev tap0 vid 1',
    'vlan add dev tap1 vid 102 pvid untagged',
    'vlan del dev tap1 vid 1',
  ]);
  assert.deepEqual([...owned], [['br0', 'br0']]);
});

test('linux bridge plan in bridge-per-vlan mode: a bridge per vlan, no bridge batch', async () => {
  const host = new FakeNetHost();
  const lb = new LinuxBridge(host, 't', new Map(), 'bridge-per-vlan');
  const plan = await lb.planPorts([
    { bridge: 'br0', port: 'tap0', vlan: 101 },
    { bridge: 'br0', port: 'tap1', vlan: 102 },
  ]);
  assert.deepEqual(plan.create, [
    'link add name br0.101 type bridge mcast_snooping 0',
    'link set br0.101 alias "nanomega:t bridge br0"',
    'link add name br0.102 type bridge mcast_snooping 0',
    'link set br0.102 alias "nanomega:t bridge br0"',
  ]);
  assert.deepEqual(plan.isolate, ['br0.101', 'br0.102']);
  assert.deepEqual(plan.ip, ['link set br0.101 up', 'link set br0.102 up', 'link set tap0 master br0.101 up', 'link set tap1 master br0.102 up']);
  assert.deepEqual(plan.bridge, []);
});

test('an existing bridge that is not ours is reused, never recreated, and never deleted', async () => {
  const host = new FakeNetHost();
  host.files.set('/sys/class/net/user0/bridge/vlan_filtering', '1\n');
  const owned = new Map<string, string>();
  const lb = new LinuxBridge(host, 't', owned, 'vlan-filtering');
  const plan = await lb.planPorts([{ bridge: 'user0', port: 'tap0', vlan: 5 }]);
  assert.deepEqual(plan.create, []);
  assert.deepEqual(plan.isolate, [], "a host bridge keeps its owner's settings");
  assert.deepEqual(plan.ip, ['link set tap0 master user0 up']);
  assert.equal(owned.size, 0);
  assert.equal(await lb.removeBridgeIfUnused('user0'), false);
});

test('a host bridge that does not filter VLANs is never switched to filtering; ours is (review I3)', async () => {
  const host = new FakeNetHost();
  host.files.set('/sys/class/net/user0/bridge/vlan_filtering', '0\n');
  const lb = new LinuxBridge(host, 't', new Map(), 'vlan-filtering');
  await assert.rejects(lb.planPorts([{ bridge: 'user0', port: 'tap0', vlan: 5 }]), {
    code: 'E_CONFIG',
    message:
      "bridge `user0` is not nanomega's and does not filter VLANs: turn it on yourself if that is safe for what it carries (ip link set user0 type bridge vlan_filtering 1)",
  });
  const ours = new LinuxBridge(host, 't', new Map([['user0', 'user0']]), 'vlan-filtering');
  const plan = await ours.planPorts([{ bridge: 'user0', port: 'tap0', vlan: 5 }]);
  assert.deepEqual(plan.create, ['link set user0 type bridge vlan_filtering 1']);
  assert.deepEqual(plan.isolate, ['user0'], 'a bridge of ours from before this daemon is taken off the host too');
  assert.deepEqual(plan.ip, ['link set user0 up', 'link set tap0 master user0 up']);
});

test('a full bridge is reported with the limit', async () => {
  const host = new FakeNetHost();
  host.files.set('/sys/class/net/br0/bridge/vlan_filtering', '1');
  host.files.set('/sys/class/net/br0/bridge/default_pvid', '1');
  for (let i = 0; i < 1023; i++) host.dirs.add(`/sys/class/net/br0/brif/p${i}`);
  const lb = new LinuxBridge(host, 't', new Map(), 'vlan-filtering');
  await assert.rejects(lb.planPorts([{ bridge: 'br0', port: 'tap0', vlan: 5 }]), /bridge br0 is full.*1023/);
});

test('ovs: one ovs-vsctl for new bridges and all ports', () => {
  assert.deepEqual(addPortsArgv('t', [{ bridge: 'b', port: 'p0', vlan: 7 }], ['b']), [
    'ovs-vsctl',
    '--',
    '--may-exist',
    'add-br',
    'b',
    '--',
    'br-set-external-id',
    'b',
    'nanomega-owner',
    't',
    '--',
    '--may-exist',
    'add-port',
    'b',
    'p0',
    'tag=7',
  ]);
});

test('vlan-filtering mode: VLANs 0 and 4095 (no VID a bridge filters on) get a plain bridge of their own', async () => {
  const host = new FakeNetHost();
  const owned = new Map<string, string>();
  const lb = new LinuxBridge(host, 't', owned, 'vlan-filtering');
  assert.equal(lb.kernelBridge('br0', 0), 'br0.0');
  assert.equal(lb.kernelBridge('br0', 4095), 'br0.4095');
  assert.equal(lb.kernelBridge('br0', 1), 'br0');
  assert.equal(lb.kernelBridge('br0', 4094), 'br0');
  const plan = await lb.planPorts([
    { bridge: 'br0', port: 'tap0', vlan: 0 },
    { bridge: 'br0', port: 'tap1', vlan: 4095 },
    { bridge: 'br0', port: 'tap2', vlan: 7 },
  ]);
  assert.deepEqual(plan.create, [
    'link add name br0.0 type bridge mcast_snooping 0',
    'link set br0.0 alias "nanomega:t bridge br0"',
    'link add name br0.4095 type bridge mcast_snooping 0',
    'link set br0.4095 alias "nanomega:t bridge br0"',
    'link add name br0 type bridge mcast_snooping 0 vlan_filtering 1',
    'link set br0 alias "nanomega:t bridge br0"',
  ]);
  assert.deepEqual(plan.ip, [
    'link set br0.0 up',
    'link set br0.4095 up',
    'link set br0 up',
    'link set tap0 master br0.0 up',
    'link set tap1 master br0.4095 up',
    'link set tap2 master br0 up',
  ]);
  assert.deepEqual(plan.bridge, ['vlan add dev tap2 vid 7 pvid untagged', 'vlan del dev tap2 vid 1'], 'no VID 0 or 4095 is ever given to the kernel');
  assert.deepEqual([...owned.keys()].sort(), ['br0', 'br0.0', 'br0.4095']);
});

test('bridge-per-vlan mode takes VLANs 0 and 4095 like any other', async () => {
  const lb = new LinuxBridge(new FakeNetHost(), 't', new Map(), 'bridge-per-vlan');
  const plan = await lb.planPorts([
    { bridge: 'br0', port: 'tap0', vlan: 0 },
    { bridge: 'br0', port: 'tap1', vlan: 4095 },
  ]);
  assert.deepEqual(
    plan.ip.filter((l) => l.includes('master')),
    ['link set tap0 master br0.0 up', 'link set tap1 master br0.4095 up'],
  );
  assert.deepEqual(plan.bridge, []);
});

test('ovs: VLANs 0 and 4095 are tags as minimega gives them; qinq makes a dot1q-tunnel port', () => {
  const argv = addPortsArgv(
    't',
    [
      { bridge: 'b', port: 'p0', vlan: 0 },
      { bridge: 'b', port: 'p1', vlan: 4095 },
      { bridge: 'b', port: 'p2', vlan: 100, qinq: true },
    ],
    [],
  );
  assert.deepEqual(argv, [
    'ovs-vsctl',
    '--',
    '--may-exist',
    'add-port',
    'b',
    'p0',
    'tag=0',
    '--',
    '--may-exist',
    'add-port',
    'b',
    'p1',
    'tag=4095',
    '--',
    '--may-exist',
    'add-port',
    'b',
    'p2',
    'tag=100',
    'vlan_mode=dot1q-tunnel',
  ]);
});
