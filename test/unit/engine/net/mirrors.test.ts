// The records and tc commands of tap mirrors, against a recording fake of the host (the kernel side
// is tested for real by test/integration/mirror.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mirrorFilterArgv, TapMirrors } from '../../../../engine/net/mirrors.js';
import { FakeNetHost } from './fake-net-host.js';

const link = (host: FakeNetHost, dev: string, ifindex: number) => host.files.set(`/sys/class/net/${dev}/ifindex`, `${ifindex}\n`);

function setup() {
  const host = new FakeNetHost();
  for (const [dev, i] of [
    ['mega_tap0', 10],
    ['mega_tap1', 11],
    ['mega_tap2', 12],
    ['nmpabc', 13],
  ] as const)
    link(host, dev, i);
  return { host, mirrors: new TapMirrors(host, '/base') };
}
const end = (name: string, dev = name) => ({ name, dev });
const cmds = (host: FakeNetHost) => host.runs.map((r) => r.argv.join(' '));

test('a mirror is a clsact qdisc and two mirred filters on the source, one per direction; records survive a new instance', async () => {
  const { host, mirrors } = setup();
  await mirrors.add('minimega', 'mega_bridge', end('mega_tap0'), end('mega_tap2'));
  assert.deepEqual(cmds(host), [
    'tc qdisc add dev mega_tap0 clsact',
    mirrorFilterArgv('mega_tap0', 'ingress', 0x4d00, 'mega_tap2').join(' '),
    mirrorFilterArgv('mega_tap0', 'egress', 0x4d00, 'mega_tap2').join(' '),
  ]);
  assert.equal(
    mirrorFilterArgv('mega_tap0', 'egress', 0x4d00, 'mega_tap2').join(' '),
    'tc filter add dev mega_tap0 egress pref 19712 u32 match u32 0 0 action mirred egress mirror dev mega_tap2',
  );
  // A second destination of the same source takes the next priority; a host tap mirrors through its port.
  await mirrors.add('minimega', 'mega_bridge', end('mega_tap0'), end('lab_tap', 'nmpabc'));
  assert.ok(cmds(host).includes(mirrorFilterArgv('mega_tap0', 'ingress', 0x4d01, 'nmpabc').join(' ')));
  const again = new TapMirrors(host, '/base');
  assert.deepEqual(
    (await again.list()).map((m) => [m.src.name, m.dst.name, m.pref]),
    [
      ['mega_tap0', 'mega_tap2', 0x4d00],
      ['mega_tap0', 'lab_tap', 0x4d01],
    ],
  );
});

test("minimega's refusals, and no loop through a mirror's own ports", async () => {
  const { mirrors } = setup();
  await assert.rejects(mirrors.add('minimega', 'b', end('mega_tap0'), end('mega_tap0')), /cannot mirror tap to itself/);
  await mirrors.add('minimega', 'b', end('mega_tap0'), end('mega_tap2'));
  await assert.rejects(
    mirrors.add('minimega', 'b', end('mega_tap1'), end('mega_tap2')),
    /^EngineError: destination tap is already a mirror$|destination tap is already a mirror/,
  );
  await assert.rejects(mirrors.add('minimega', 'b', end('mega_tap2'), end('mega_tap1')), /source tap mega_tap2 is the destination of a mirror/);
  await assert.rejects(mirrors.add('minimega', 'b', end('mega_tap1'), end('mega_tap0')), /destination tap mega_tap0 is the source of a mirror/);
  await assert.rejects(mirrors.remove('minimega', 'mega_tap1'), /not a valid mirror/);
  await assert.rejects(mirrors.remove('other', 'mega_tap2'), /not a valid mirror/, "another namespace's mirror is not this one's");
});

test('a tc refusal leaves no filter and no record', async () => {
  const { host, mirrors } = setup();
  host.respond = (argv) =>
    argv.includes('egress') && argv.includes('add')
      ? { code: 2, stdout: '', stderr: 'Error: TC classifier not found.\n' }
      : { code: 0, stdout: '', stderr: '' };
  await assert.rejects(
    mirrors.add('minimega', 'b', end('mega_tap0'), end('mega_tap2')),
    /tap mirror mega_tap0 mega_tap2: mega_tap0: Error: TC classifier not found/,
  );
  assert.deepEqual(cmds(host).slice(-2), ['tc filter del dev mega_tap0 ingress pref 19712', 'tc filter del dev mega_tap0 egress pref 19712']);
  assert.deepEqual(await mirrors.list(), []);
});

test('a mirror whose link is gone or replaced (same name, another ifindex) is forgotten', async () => {
  const { host, mirrors } = setup();
  await mirrors.add('minimega', 'b', end('mega_tap0'), end('mega_tap2'));
  await mirrors.add('minimega', 'b', end('mega_tap1'), end('nmp', 'nmpabc'));
  host.files.delete('/sys/class/net/mega_tap2/ifindex');
  link(host, 'mega_tap1', 99);
  host.runs.length = 0;
  assert.deepEqual(await mirrors.list(), []);
  // mega_tap0 is the same link: its filters are removed; mega_tap1 is another link now: untouched.
  assert.deepEqual(cmds(host), ['tc filter del dev mega_tap0 ingress pref 19712', 'tc filter del dev mega_tap0 egress pref 19712']);
});

test('clear without a name removes only the namespace’s mirrors', async () => {
  const { mirrors } = setup();
  await mirrors.add('minimega', 'b', end('mega_tap0'), end('mega_tap2'));
  await mirrors.add('lab', 'b', end('mega_tap1'), end('nmp', 'nmpabc'));
  await mirrors.remove('minimega');
  assert.deepEqual(
    (await mirrors.list()).map((m) => m.namespace),
    ['lab'],
  );
});
