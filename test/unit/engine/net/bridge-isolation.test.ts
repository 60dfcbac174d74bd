import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepHostOff } from '../../../../engine/net/bridge-isolation.js';
import { LinuxBridge } from '../../../../engine/net/linux-bridge.js';
import { FakeNetHost } from './fake-net-host.js';

const V6 = (kb: string) => `/proc/sys/net/ipv6/conf/${kb}`;
const V4 = (kb: string) => `/proc/sys/net/ipv4/conf/${kb}`;

/** A fake whose kernel makes a device's sysctl directories when `ip` creates a bridge. */
function kernelLike(opts: { ipv6?: boolean } = {}): { host: FakeNetHost; seen: { input: string; knobs: Record<string, string | undefined> }[] } {
  const host = new FakeNetHost();
  const seen: { input: string; knobs: Record<string, string | undefined> }[] = [];
  host.respond = (argv, input) => {
    const knobs: Record<string, string | undefined> = {};
    for (const [p, v] of host.files) if (p.startsWith('/proc/sys/net/')) knobs[p] = v;
    seen.push({ input, knobs });
    for (const m of input.matchAll(/^link add name (\S+) type bridge/gm)) {
      if (opts.ipv6 !== false) host.dirs.add(V6(m[1]!));
      host.dirs.add(V4(m[1]!));
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  return { host, seen };
}

test('a bridge nanomega makes is taken off the host IP stacks after it is made and before it comes up', async () => {
  const { host, seen } = kernelLike();
  const lb = new LinuxBridge(host, 't', new Map(), 'bridge-per-vlan');
  await lb.addPorts([{ bridge: 'br0', port: 'tap0', vlan: 5 }], ['PRELUDE']);
  assert.equal(seen.length, 2, 'two ip batches: made, then up');
  assert.match(seen[0]!.input, /^link add name br0\.5 type bridge/m);
  assert.doesNotMatch(seen[0]!.input, / up$/m, 'nothing comes up in the first batch');
  assert.deepEqual(seen[0]!.knobs, {}, 'knobs written only once the bridge exists');
  assert.deepEqual(seen[1]!.knobs, { [`${V6('br0.5')}/disable_ipv6`]: '1', [`${V4('br0.5')}/rp_filter`]: '1' });
  assert.equal(seen[1]!.input, 'link set br0.5 up\nPRELUDE\nlink set tap0 master br0.5 up\n');
});

test('a second wave on the same bridge runs one batch and writes nothing again', async () => {
  const { host, seen } = kernelLike();
  const lb = new LinuxBridge(host, 't', new Map(), 'bridge-per-vlan');
  await lb.addPorts([{ bridge: 'br0', port: 'tap0', vlan: 5 }]);
  host.files.clear();
  host.dirs.add('/sys/class/net/br0.5/brif/tap0');
  host.dirs.add('/sys/class/net/br0.5/bridge');
  await lb.addPorts([{ bridge: 'br0', port: 'tap1', vlan: 5 }]);
  assert.equal(seen.length, 3);
  assert.equal(seen[2]!.input, 'link set tap1 master br0.5 up\n');
  assert.equal([...host.files.keys()].filter((p) => p.startsWith('/proc/')).length, 0);
});

test('a kernel without IPv6 gets only the IPv4 knob', async () => {
  const { host } = kernelLike({ ipv6: false });
  await new LinuxBridge(host, 't', new Map(), 'bridge-per-vlan').addPorts([{ bridge: 'br0', port: 'tap0', vlan: 5 }]);
  assert.deepEqual(
    [...host.files.keys()].filter((p) => p.startsWith('/proc/')),
    [`${V4('br0.5')}/rp_filter`],
  );
});

test('a knob that cannot be written fails the attach naming the bridge and the path', async () => {
  const host = new FakeNetHost();
  host.dirs.add(V6('br9'));
  host.writeFile = async () => {
    throw new Error('EACCES: permission denied');
  };
  await assert.rejects(keepHostOff(host, ['br9']), {
    code: 'E_HOST',
    message: `keep the host off bridge br9: write ${V6('br9')}/disable_ipv6: EACCES: permission denied`,
  });
});

test('a bridge deleted with its last port and made again under the same name is taken off the host again', async () => {
  const { host } = kernelLike();
  const lb = new LinuxBridge(host, 't', new Map(), 'bridge-per-vlan');
  await lb.addPorts([{ bridge: 'br0', port: 'tap0', vlan: 5 }]);
  await lb.removeBridgeIfUnused('br0');
  host.files.clear();
  await lb.addPorts([{ bridge: 'br0', port: 'tap1', vlan: 5 }]);
  assert.deepEqual([...host.files.keys()].filter((p) => p.startsWith('/proc/')).sort(), [`${V4('br0.5')}/rp_filter`, `${V6('br0.5')}/disable_ipv6`]);
});

test('a bridge left down by an attach whose isolation failed is isolated and brought up by the next one', async () => {
  const { host, seen } = kernelLike();
  const write = host.writeFile.bind(host);
  host.writeFile = async () => {
    throw new Error('EBUSY');
  };
  const lb = new LinuxBridge(host, 't', new Map(), 'bridge-per-vlan');
  await assert.rejects(lb.addPorts([{ bridge: 'br0', port: 'tap0', vlan: 5 }]), /keep the host off bridge br0\.5/);
  assert.equal(seen.length, 1, 'made, never brought up');
  host.writeFile = write;
  host.dirs.add('/sys/class/net/br0.5/bridge');
  await lb.addPorts([{ bridge: 'br0', port: 'tap1', vlan: 5 }]);
  assert.equal(seen.at(-1)!.input, 'link set br0.5 up\nlink set tap1 master br0.5 up\n');
  assert.equal(host.files.get(`${V6('br0.5')}/disable_ipv6`), '1');
});
