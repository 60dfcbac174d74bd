import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network } from '../../../../engine/net/network.js';
import { Trunks, trunkSubName, vlanOfKernelBridge } from '../../../../engine/net/trunks.js';
import { bridgeRows } from '../../../../engine/language/commands/bridge.js';
import { FakeNetHost } from './fake-net-host.js';

const SYS = '/sys/class/net';

/** A host with an Ethernet NIC `eth9` and a network on the given backend, trunks loaded from `records`. */
function setup(mode: 'bridge-per-vlan' | 'vlan-filtering', records?: Record<string, string[]>) {
  const host = new FakeNetHost();
  host.files.set(`${SYS}/eth9/type`, '1\n');
  if (records) {
    const bridges = Object.fromEntries(Object.entries(records).map(([b, trunks]) => [b, { trunks, config: {} }]));
    host.files.set('/state/bridges.json', JSON.stringify({ version: 1, bridges }));
  }
  const trunks = new Trunks(host, '/state');
  const network = new Network({ stateDir: '/state', host, linuxMode: mode, tapPrefix: 'tp', defaultBridge: 'br', uplinks: trunks });
  return { host, trunks, network };
}

/** The text of every batch run with `tool`, one string per process. */
const batches = (host: FakeNetHost, tool: string) => host.runs.filter((r) => r.argv.includes('-batch') && r.argv.includes(tool)).map((r) => r.input);

test('subinterface names: IFACE.V, hashed to 15 characters like a VLAN bridge', () => {
  assert.equal(trunkSubName('eth9', 101), 'eth9.101');
  const long = trunkSubName('minitest_tap0', 4094);
  assert.ok(long.length <= 15 && long.endsWith('.4094'), long);
  assert.notEqual(trunkSubName('minitest_tap0', 4094), trunkSubName('minitest_tap1', 4094));
  assert.equal(vlanOfKernelBridge('br.101', 'br', 'bridge-per-vlan'), 101);
  assert.equal(vlanOfKernelBridge('br.5', 'br.5', 'vlan-filtering'), undefined, 'a filtering bridge is named as the logical one');
});

test('per-VLAN backend: a VLAN bridge made after the trunk gets its subinterface, in a forced batch of its own', async () => {
  const { host, network } = setup('bridge-per-vlan', { br: ['eth9'] });
  await network.attach({ id: 1, nics: [{ bridge: '', vlan: '101', mac: '', ip: '' }] }, 500);
  const ip = host.runs.filter((r) => r.argv[0] === 'ip');
  assert.match(ip[0]!.input, /^link add name br\.101 type bridge mcast_snooping 0$/m);
  // The attach's own batches do not carry the trunk: a missing uplink must not fail the container.
  assert.doesNotMatch(ip[0]!.input + ip[1]!.input, /eth9/);
  assert.deepEqual(ip[2]!.argv, ['ip', '-force', '-batch', '-']);
  assert.equal(
    ip[2]!.input,
    'link add link eth9 name eth9.101 type vlan id 101\n' +
      `link set eth9.101 alias "nanomega:${network.tag} trunk br eth9"\n` +
      'link set eth9.101 master br.101 up\n',
  );
});

test('per-VLAN backend: a bridge with only its trunk subinterface left is deleted with it', async () => {
  const { host, network } = setup('bridge-per-vlan', { br: ['eth9'] });
  await network.attach({ id: 1, nics: [{ bridge: '', vlan: '101', mac: '', ip: '' }] }, 500);
  host.dirs.add(`${SYS}/br.101/brif/eth9.101`);
  host.dirs.add(`${SYS}/br.101/bridge`);
  host.runs.length = 0;
  await network.detach(1);
  const last = batches(host, 'ip').at(-1)!;
  assert.equal(last, 'link del eth9.101\nlink del br.101\n');
});

test('per-VLAN backend: a bridge with a container port left is kept', async () => {
  const { host, network } = setup('bridge-per-vlan', { br: ['eth9'] });
  await network.attach({ id: 1, nics: [{ bridge: '', vlan: '101', mac: '', ip: '' }] }, 500);
  host.dirs.add(`${SYS}/br.101/brif/eth9.101`);
  host.dirs.add(`${SYS}/br.101/brif/tp7`);
  host.runs.length = 0;
  await network.exclusive((core) => core.backend.removeBridgeIfUnused('br'));
  assert.deepEqual(batches(host, 'ip'), []);
});

test('bridge trunk on the per-VLAN backend: a subinterface on each VLAN bridge there is, recorded first', async () => {
  const { host, trunks, network } = setup('bridge-per-vlan');
  await network.attach(
    {
      id: 1,
      nics: [
        { bridge: '', vlan: '101', mac: '', ip: '' },
        { bridge: '', vlan: '0', mac: '', ip: '' },
      ],
    },
    500,
  );
  host.dirs.add(`${SYS}/br.101/bridge`);
  host.dirs.add(`${SYS}/br.0/bridge`);
  host.dirs.add(`${SYS}/eth9`);
  host.respond = (argv) => (argv[0] === 'ip' && argv.includes('-j') ? { code: 0, stdout: '[]', stderr: '' } : { code: 0, stdout: '', stderr: '' });
  host.runs.length = 0;
  await network.exclusive((core) => trunks.add(core, network, 'br', 'eth9'));
  // The 802.1Q probe runs on a veth pair of its own, never on the user's interface.
  const probe = host.runs.filter((r) => r.argv.join(' ').includes('type vlan') && !r.argv.includes('-batch'));
  assert.equal(probe.length, 1);
  assert.doesNotMatch(probe[0]!.argv.join(' '), /eth9/);
  // VLAN 0 is no 802.1Q id: only 101 is carried.
  assert.equal(
    batches(host, 'ip').at(-1),
    'link add link eth9 name eth9.101 type vlan id 101\n' +
      `link set eth9.101 alias "nanomega:${network.tag} trunk br eth9"\n` +
      'link set eth9.101 master br.101 up\n',
  );
  assert.deepEqual(JSON.parse(host.files.get('/state/bridges.json')!).bridges.br.trunks, ['eth9']);
  await assert.rejects(
    network.exclusive((core) => trunks.add(core, network, 'br', 'eth9')),
    /bridge already trunking to eth9/,
  );
  await assert.rejects(
    network.exclusive((core) => trunks.add(core, network, 'other', 'eth9')),
    /interface eth9 is already a trunk of bridge br/,
  );
});

test('bridge trunk refuses what is no host Ethernet interface, naming it, and records nothing', async () => {
  const { host, trunks, network } = setup('bridge-per-vlan');
  host.dirs.add(`${SYS}/eth9`);
  host.dirs.add(`${SYS}/br0/bridge`);
  host.files.set(`${SYS}/ppp0/type`, '512\n');
  const add = (iface: string) => network.exclusive((core) => trunks.add(core, network, 'br', iface));
  await assert.rejects(add('nosuch0'), /bridge trunk: no interface nosuch0 on this host/);
  await assert.rejects(add('br0'), /bridge trunk: br0 is a bridge/);
  await assert.rejects(add('ppp0'), /bridge trunk: ppp0 is not an Ethernet interface \(type 512\)/);
  await assert.rejects(add('a b'), /invalid interface name `a b`/);
  // A kernel without 802.1Q devices cannot tag: refused, not recorded.
  host.respond = (argv) => (argv.includes('vlan') ? { code: 2, stdout: '', stderr: 'Error: Unknown device type.' } : { code: 0, stdout: '[]', stderr: '' });
  await assert.rejects(add('eth9'), /this kernel has no 802.1Q VLAN devices .* cannot tag frames for eth9/);
  assert.deepEqual(
    [...trunks.records().values()].flatMap((r) => r.trunks),
    [],
  );
});

test("bridge notrunk: unknown trunks in minimega's words; a known one loses its tagged subinterfaces", async () => {
  const { host, trunks, network } = setup('bridge-per-vlan', { br: ['eth9'] });
  await assert.rejects(
    network.exclusive((core) => trunks.remove(core, network, 'br', 'eth8')),
    /unknown trunk: eth8/,
  );
  const mark = `nanomega:${network.tag} trunk br eth9`;
  host.respond = (argv) =>
    argv.join(' ') === 'ip -j link show'
      ? {
          code: 0,
          stdout: JSON.stringify([{ ifname: 'eth9.101', ifalias: mark }, { ifname: 'eth9.7', ifalias: 'someone else' }, { ifname: 'eth9' }]),
          stderr: '',
        }
      : { code: 0, stdout: '', stderr: '' };
  await network.exclusive((core) => trunks.remove(core, network, 'br', 'eth9'));
  assert.ok(batches(host, 'ip').includes('link del eth9.101\n'), 'only our subinterface, never eth9 or another');
  assert.deepEqual(trunks.records().get('br')?.trunks, []);
});

test('vlan-filtering backend: the trunk is a port of the bridge with every VID tagged, new VIDs added as they come', async () => {
  const { host, trunks, network } = setup('vlan-filtering', { br: ['eth9'] });
  await network.attach({ id: 1, nics: [{ bridge: '', vlan: '101', mac: '', ip: '' }] }, 500);
  const ip = host.runs.filter((r) => r.argv[0] === 'ip');
  assert.equal(ip[2]!.input, 'link set eth9 master br\n', 'enslaved when the bridge is made, never deleted or set up');
  assert.match(batches(host, 'bridge').at(-1)!, /^vlan add dev eth9 vid 101$/m);
  assert.deepEqual(trunks.ports('br', undefined), ['eth9']);
  assert.deepEqual(trunks.removeLines('br', undefined), [], 'a filtering bridge only releases it');
  assert.deepEqual(trunks.vlanLines('br', 4095), [], 'no 802.1Q id');
});

test('bridge config is Open vSwitch only; the list rows print as minimega prints them', async () => {
  const { trunks, network } = setup('bridge-per-vlan');
  await assert.rejects(
    network.exclusive((core) => trunks.config(core, 'br', 'stp_enable=true')),
    /Open vSwitch bridge options .* Linux bridge \(bridge-per-vlan\)/,
  );
  await assert.rejects(
    network.exclusive((core) => trunks.config(core, 'br', 'novalue')),
    /expected key=value/,
  );
  assert.deepEqual(
    bridgeRows([{ name: 'br', preexisting: false, vlans: ['101', 'LAN (102)'], trunks: ['eth9'], tunnels: [], bonds: [], config: { z: '1', a: '2' } }]),
    [['br', 'false', '[101 LAN (102)]', '[eth9]', '[]', '[]', '{"a":"2","z":"1"}']],
  );
});

test('after a restart: a recorded trunk gets back the subinterface of a VLAN bridge it lost; unrecorded ones go', async () => {
  const { host, trunks, network } = setup('bridge-per-vlan', { br: ['eth9'] });
  host.files.set('/state/net.json', JSON.stringify({ version: 1, nextTap: 0, vlans: {}, bridges: { 'br.101': 'br' }, containers: {} }));
  host.dirs.add(`${SYS}/br.101/bridge`);
  host.dirs.add(`${SYS}/eth9`);
  host.respond = (argv) =>
    argv.join(' ') === 'ip -j link show'
      ? { code: 0, stdout: JSON.stringify([{ ifname: 'eth8.101', ifalias: `nanomega:${network.tag} trunk br eth8` }]), stderr: '' }
      : { code: 0, stdout: '', stderr: '' };
  const notes = await network.exclusive((core) => trunks.reconcile(core, network));
  assert.deepEqual(notes, ['removed unrecorded trunk subinterfaces eth8.101']);
  assert.deepEqual(batches(host, 'ip'), [
    'link del eth8.101\n',
    'link add link eth9 name eth9.101 type vlan id 101\n' +
      `link set eth9.101 alias "nanomega:${network.tag} trunk br eth9"\n` +
      'link set eth9.101 master br.101 up\n',
  ]);
});

test('Open vSwitch: the trunk is a port without a tag; notrunk deletes the port only', async () => {
  const host = new FakeNetHost();
  host.files.set(`${SYS}/eth9/type`, '1\n');
  host.respond = (argv) => (argv.join(' ') === 'ip -j link show' ? { code: 0, stdout: '[]', stderr: '' } : { code: 0, stdout: '', stderr: '' });
  const trunks = new Trunks(host, '/state');
  await trunks.load('t');
  const ensured: string[] = [];
  const core = {
    backend: { kind: 'ovs', mode: 'ovs', ensureBridge: async (b: string) => void ensured.push(b), removeBridgeIfUnused: async () => false },
    save: async () => undefined,
  } as unknown as Parameters<Trunks['add']>[0];
  const net = { taggedLinks: async () => [], ownedByLogical: async () => new Map<string, string[]>() };
  await trunks.add(core, net, 'br', 'eth9');
  await trunks.remove(core, net, 'br', 'eth9');
  assert.deepEqual(ensured, ['br']);
  assert.deepEqual(
    host.runs.filter((r) => r.argv[0] === 'ovs-vsctl').map((r) => r.argv.join(' ')),
    ['ovs-vsctl --may-exist add-port br eth9', 'ovs-vsctl --if-exists del-port br eth9'],
  );
});

test('tunnel lines: a VXLAN or gretap per VLAN bridge with id KEY×4096 + VLAN, one tagged device on a filtering bridge', async () => {
  const { tunnelLines, tunnelRequest, ovsTunnelArgs } = await import('../../../../engine/net/trunks-tunnel.js');
  const vx = tunnelRequest('mega_tap3', 'vxlan', '10.0.0.2', undefined, true);
  assert.deepEqual(tunnelLines('t', 'br', vx, 101, 'br.101'), [
    'link add mega_tap3.101 type vxlan id 101 remote 10.0.0.2 dstport 4789',
    'link set mega_tap3.101 alias "nanomega:t tunnel br mega_tap3"',
    'link set mega_tap3.101 master br.101 up',
  ]);
  const gre = tunnelRequest('mega_tap4', 'gre', 'fd00::2', '2', true);
  assert.equal(tunnelLines('t', 'br', gre, 7, 'br.7')[0], 'link add mega_tap4.7 type gretap remote fd00::2 key 8199');
  assert.equal(tunnelLines('t', 'br', { ...vx, key: 5 }, undefined, 'br')[0], 'link add mega_tap3 type vxlan id 5 remote 10.0.0.2 dstport 4789');
  assert.deepEqual(ovsTunnelArgs('br', { ...vx, key: 5 }), [
    'add-port',
    'br',
    'mega_tap3',
    '--',
    'set',
    'interface',
    'mega_tap3',
    'type=vxlan',
    'options:remote_ip=10.0.0.2',
    'options:key=5',
  ]);
  assert.throws(() => tunnelRequest('x', 'ipip', '10.0.0.2', undefined, true), /unknown tunnel type ipip/);
  assert.throws(() => tunnelRequest('x', 'vxlan', '10.0.0.2', '4095', true), /invalid key 4095: want 0–4094/);
  assert.doesNotThrow(() => tunnelRequest('x', 'vxlan', '10.0.0.2', '4095', false));
  assert.throws(() => tunnelRequest('x', 'vxlan', '10.0.0.0/8', undefined, false), /is a network/);
});

test('a tunnel is an uplink of its bridge: made with each VLAN bridge, deleted with it', async () => {
  const { host, trunks, network } = setup('bridge-per-vlan');
  const bridges = { br: { trunks: [], tunnels: [{ name: 'mega_tap9', type: 'vxlan', remote: '10.0.0.2', key: 0 }], config: {} } };
  host.files.set('/state/bridges.json', JSON.stringify({ version: 1, bridges }));
  await network.attach({ id: 1, nics: [{ bridge: '', vlan: '101', mac: '', ip: '' }] }, 500);
  assert.deepEqual(trunks.ports('br', 101), ['mega_tap9.101']);
  assert.match(batches(host, 'ip')[2]!, /^link add mega_tap9\.101 type vxlan id 101 remote 10\.0\.0\.2 dstport 4789$/m);
  assert.deepEqual(trunks.removeLines('br', 101), ['link del mega_tap9.101']);
  assert.deepEqual(trunks.removeLines('br', undefined), ['link del mega_tap9'], 'a filtering bridge deletes its tunnel device (not a user interface)');
});
