import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddrJson } from '../../../../engine/net/link-readers.js';
import { Network } from '../../../../engine/net/network.js';
import { FakeNetHost } from './fake-net-host.js';

function net(host: FakeNetHost): Network {
  return new Network({ stateDir: '/state', host, linuxMode: 'bridge-per-vlan', tapPrefix: 'tp', defaultBridge: 'br' });
}

test('attach forks one host ip batch and one container batch', async () => {
  const host = new FakeNetHost();
  const n = net(host);
  const nics = await n.attach(
    {
      id: 3,
      nics: [
        { bridge: '', vlan: 'LAN', mac: '', ip: '10.1.0.1/24' },
        { bridge: 'b2', vlan: '7', mac: '02:00:00:00:00:09', ip: '' },
      ],
    },
    999,
  );
  // The bridges made (down), then, with the host taken off them, everything else.
  assert.deepEqual(
    host.runs.map((r) => r.argv.join(' ')),
    ['ip -batch -', 'ip -batch -', 'nsenter --net=/proc/999/ns/net -- ip -batch -'],
  );
  const hostText = host.runs[0]!.input + host.runs[1]!.input;
  assert.match(hostText, /^link add name br\.101 type bridge mcast_snooping 0$/m);
  assert.match(hostText, /^link add tp0 type veth peer name veth0 address 02:6d:[0-9a-f:]+ netns 999$/m);
  assert.match(hostText, /^link set tp1 master b2\.7 up$/m);
  assert.equal(host.runs[2]!.input, 'link set lo up\nlink set veth0 up\naddr add 10.1.0.1/24 dev veth0\nlink set veth1 up\n');
  assert.deepEqual(
    nics.map((x) => [x.vlan, x.vlanId, x.bridge, x.tap, x.ip]),
    [
      ['LAN', 101, 'br', 'tp0', '10.1.0.1'],
      ['7', 7, 'b2', 'tp1', ''],
    ],
  );
  assert.equal(nics[1]!.mac, '02:00:00:00:00:09');
});

test('a wave of containers shares one host batch', async () => {
  const host = new FakeNetHost();
  const n = net(host);
  const res = await n.attachMany([1, 2, 3].map((id) => ({ c: { id, nics: [{ bridge: '', vlan: '5', mac: '', ip: '' }] }, initPid: 100 + id })));
  assert.ok(res.every((r) => r.ok));
  assert.equal(host.runs.filter((r) => r.argv[0] === 'ip').length, 2, 'its bridge made, then every port');
  assert.equal(host.runs.filter((r) => r.argv[0] === 'nsenter').length, 3);
});

test("containerSide 'caller': one host batch, no nsenter, the container ends returned", async () => {
  const host = new FakeNetHost();
  const n = net(host);
  const res = await n.attachMany(
    [1, 2].map((id) => ({
      c: {
        id,
        nics: [
          { bridge: '', vlan: '5', mac: '', ip: id === 1 ? '10.1.0.1/24' : '' },
          { bridge: '', vlan: '6', mac: '', ip: '' },
        ],
      },
      initPid: 100 + id,
    })),
    { containerSide: 'caller' },
  );
  assert.deepEqual(
    host.runs.map((r) => r.argv.join(' ')),
    ['ip -batch -', 'ip -batch -'],
  );
  assert.deepEqual(
    res.map((r) => (r.ok ? r.container : r.error.message)),
    [
      [
        { ifname: 'veth0', ip: '10.1.0.1/24' },
        { ifname: 'veth1', ip: '' },
      ],
      [
        { ifname: 'veth0', ip: '' },
        { ifname: 'veth1', ip: '' },
      ],
    ],
  );
  assert.ok(res[0]!.ok && res[0]!.nics[0]!.ip === '10.1.0.1');
  assert.deepEqual(
    (await n.nics(2)).map((x) => x.tap),
    ['tp2', 'tp3'],
  );
});

test('state survives a restart: taps are not reused and aliases keep their vlans', async () => {
  const host = new FakeNetHost();
  const a = net(host);
  await a.attach({ id: 1, nics: [{ bridge: '', vlan: 'DMZ', mac: '', ip: '' }] }, 50);
  const b = net(host);
  const nics = await b.attach(
    {
      id: 2,
      nics: [
        { bridge: '', vlan: 'OTHER', mac: '', ip: '' },
        { bridge: '', vlan: 'DMZ', mac: '', ip: '' },
      ],
    },
    51,
  );
  assert.deepEqual(
    nics.map((x) => [x.tap, x.vlanId]),
    [
      ['tp1', 102],
      ['tp2', 101],
    ],
  );
  assert.deepEqual(
    (await b.nics(1)).map((x) => x.tap),
    ['tp0'],
  );
});

test('an unreadable net.json: kept as net.json.bad, new taps numbered after the ones still there (review L9)', async () => {
  const host = new FakeNetHost();
  host.files.set('/state/net.json', '{"nextTap": ');
  host.dirs.add('/sys/class/net/tp7');
  host.dirs.add('/sys/class/net/eth0');
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    const nics = await net(host).attach({ id: 3, nics: [{ bridge: '', vlan: 'DMZ', mac: '', ip: '' }] }, 60);
    assert.deepEqual(
      nics.map((x) => x.tap),
      ['tp8'],
    );
  } finally {
    process.stderr.write = write;
  }
  assert.equal(host.files.get('/state/net.json.bad'), '{"nextTap": ');
});

test('a failed host batch rolls the container back and names the device', async () => {
  const host = new FakeNetHost();
  host.respond = (argv, input) =>
    argv[0] === 'ip' && input.includes('veth')
      ? { code: 1, stdout: '', stderr: 'Error: Invalid pid.\nCommand failed -:3\n' }
      : { code: 0, stdout: '', stderr: '' };
  const n = net(host);
  await assert.rejects(n.attach({ id: 1, nics: [{ bridge: '', vlan: '5', mac: '', ip: '' }] }, 77), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'E_HOST');
    assert.match(e.message, /tp0: Error: Invalid pid\./);
    return true;
  });
  assert.deepEqual(await n.nics(1), []);
});

test('ip -j addr output becomes per-interface addresses without lo', () => {
  const out = JSON.stringify([
    { ifname: 'lo', address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1' }] },
    {
      ifname: 'veth0',
      address: '02:6d:00:00:00:01',
      addr_info: [
        { family: 'inet', local: '10.0.0.1' },
        { family: 'inet6', local: 'fe80::1' },
      ],
    },
  ]);
  assert.deepEqual(parseAddrJson(out), [{ ifname: 'veth0', mac: '02:6d:00:00:00:01', ip: ['10.0.0.1'], ip6: ['fe80::1'] }]);
});

/** Containers 1 and 2 attached with one NIC each, their host ends present in /sys/class/net. */
async function twoAttached(host: FakeNetHost): Promise<Network> {
  const n = net(host);
  await n.attachMany(
    [1, 2].map((id) => ({ c: { id, nics: [{ bridge: '', vlan: '5', mac: '', ip: '' }] }, initPid: 100 + id })),
    { containerSide: 'caller' },
  );
  for (const t of ['tp0', 'tp1']) host.dirs.add(`/sys/class/net/${t}`);
  host.runs.length = 0;
  return n;
}

test('a detach wave deletes its host ends by one random device group holding only them', async () => {
  const host = new FakeNetHost();
  host.respond = (argv) => {
    const g = argv.indexOf('group');
    return { code: 0, stdout: g > 0 && argv[1] === '-j' ? JSON.stringify([{ ifname: 'tp0' }, { ifname: 'tp1' }]) : '', stderr: '' };
  };
  const n = await twoAttached(host);
  await Promise.all([n.detach(1), n.detach(2)]);
  const ip = host.runs.filter((r) => r.argv[0] === 'ip');
  const group = /^link set tp0 group (\d+)$/m.exec(ip[0]!.input)?.[1];
  assert.ok(group && Number(group) >= 2 ** 30, `a group of ours: ${ip[0]!.input}`);
  assert.equal(ip[0]!.input, `link set tp0 group ${group}\nlink set tp1 group ${group}\n`);
  assert.deepEqual(ip[1]!.argv, ['ip', '-j', 'link', 'show', 'group', group]);
  assert.equal(ip[2]!.input, `link del group ${group}\n`);
});

test('a device group that also holds a device not ours is never deleted: ours go one by one', async () => {
  const host = new FakeNetHost();
  host.respond = (argv) => ({
    code: 0,
    stdout: argv[1] === '-j' ? JSON.stringify([{ ifname: 'tp0' }, { ifname: 'eth7' }, { ifname: 'tp1' }]) : '',
    stderr: '',
  });
  const n = await twoAttached(host);
  await Promise.all([n.detach(1), n.detach(2)]);
  const inputs = host.runs.filter((r) => r.argv[0] === 'ip' && r.argv.includes('-batch')).map((r) => r.input);
  assert.ok(!inputs.some((i) => /link del group/.test(i)), inputs.join('|'));
  assert.ok(inputs.includes('link del tp0\nlink del tp1\n'), inputs.join('|'));
});

test('configuredNics: what a container asks for, as vm info shows a failed launch; nothing is made or allocated', async () => {
  const host = new FakeNetHost();
  const n = net(host);
  await n.allocateVlans(['LAN']);
  const nics = n.configuredNics([
    { bridge: '', vlan: 'LAN', mac: '', ip: '10.1.0.1/24' },
    { bridge: 'b2', vlan: '7', mac: '02:00:00:00:00:0A', ip: '' },
    { bridge: '', vlan: 'NEW', mac: '', ip: '' },
  ]);
  assert.deepEqual(nics, [
    { vlan: 'LAN', vlanId: 101, bridge: 'br', tap: '', mac: '', ip: '', ip6: '' },
    { vlan: '7', vlanId: 7, bridge: 'b2', tap: '', mac: '02:00:00:00:00:0a', ip: '', ip6: '' },
    { vlan: 'NEW', vlanId: -1, bridge: 'br', tap: '', mac: '', ip: '', ip6: '' },
  ]);
  assert.deepEqual(host.runs, [], 'no command ran');
  assert.deepEqual(n.vlans.list(), [{ alias: 'LAN', vlan: 101 }]);
});
