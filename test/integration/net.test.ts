import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertNoLeaks, snapshot } from '../helpers/leaks.js';
import { optional, requires } from '../helpers/requires.js';
import { until } from '../helpers/wait.js';
import { Network } from '../../engine/net/network.js';
import { ovsUnavailable } from '../../engine/net/ovs-bridge.js';
import { linuxNetHost } from '../../engine/net/net-host.js';

const exec = promisify(execFile);
const BRIDGE = 'nmtest_br0';
const TAP = 'nmt_tap';

interface Ns {
  unshare: ChildProcess;
  pid: number;
}

/** A stand-in container: `sleep` as the only process of a fresh netns; returns the sleep's pid. */
async function spawnNs(): Promise<Ns> {
  const unshare = spawn('unshare', ['--net', '--fork', 'sleep', '1000'], { stdio: 'ignore' });
  const upid = unshare.pid!;
  const children = () => {
    try {
      return readFileSync(`/proc/${upid}/task/${upid}/children`, 'utf8').trim();
    } catch {
      return ''; // not yet
    }
  };
  const kids = await until(`unshare ${upid} to fork`, () => children() || undefined, 5_000);
  return { unshare, pid: Number(kids.split(/\s+/)[0]) };
}

function killNs(ns: Ns): void {
  for (const pid of [ns.pid, ns.unshare.pid!]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

async function links(): Promise<Set<string>> {
  const { stdout } = await exec('ip', ['-o', 'link', 'show']);
  return new Set(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':')[1]!.trim().split('@')[0]!),
  );
}

function ours(names: Iterable<string>): string[] {
  return [...names].filter((n) => n.startsWith(TAP) || n.startsWith(BRIDGE)).sort();
}

async function pings(pid: number, ip: string): Promise<boolean> {
  try {
    await exec('nsenter', [`--net=/proc/${pid}/ns/net`, '--', '/bin/busybox', 'ping', '-c1', '-W1', ip]);
    return true;
  } catch {
    return false;
  }
}

function newNetwork(): { net: Network; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nmtest-net-'));
  return { net: new Network({ stateDir: dir, tapPrefix: TAP, defaultBridge: BRIDGE }), dir };
}

/**
 * `n` stand-in containers and a Network of their own for `body`; afterwards the network is nuked, the
 * stand-ins killed, the state directory removed, and the host checked for leaks. `before`: our links
 * before anything was made.
 */
async function withNetwork(n: number, body: (net: Network, ns: Ns[], before: Set<string>) => Promise<void>): Promise<void> {
  const pre = snapshot();
  const before = await links();
  const { net, dir } = newNetwork();
  const ns: Ns[] = [];
  try {
    for (let i = 0; i < n; i++) ns.push(await spawnNs());
    await body(net, ns, before);
  } finally {
    await net.nuke();
    ns.forEach(killNs);
    rmSync(dir, { recursive: true, force: true });
  }
  await assertNoLeaks(pre);
}

test('two containers on VLAN 101 reach each other, one on 102 does not until connected', { skip: requires('root', 'busybox') }, () =>
  withNetwork(3, async (net, ns, before) => {
    const res = await net.attachMany([
      { c: { id: 0, nics: [{ bridge: '', vlan: '101', mac: '', ip: '10.199.0.1/24' }] }, initPid: ns[0]!.pid },
      { c: { id: 1, nics: [{ bridge: '', vlan: '101', mac: '02:00:00:00:01:01', ip: '10.199.0.2/24' }] }, initPid: ns[1]!.pid },
      { c: { id: 2, nics: [{ bridge: '', vlan: '102', mac: '', ip: '10.199.0.3/24' }] }, initPid: ns[2]!.pid },
    ]);
    for (const r of res) assert.ok(r.ok, r.ok ? '' : r.error.message);
    console.log(`# backend mode: ${(await net.backend()).mode}`);
    const nic1 = res[1]!.ok ? res[1]!.nics[0]! : undefined;
    assert.equal(nic1?.mac, '02:00:00:00:01:01');
    assert.equal(nic1?.ip, '10.199.0.2');
    assert.match(nic1!.tap, /^nmt_tap\d+$/);

    assert.ok(await pings(ns[0]!.pid, '10.199.0.2'), '101 → 101 should ping');
    assert.ok(!(await pings(ns[0]!.pid, '10.199.0.3')), '101 → 102 must not ping');

    await net.connect(2, 0, '101');
    assert.ok(await pings(ns[0]!.pid, '10.199.0.3'), 'after connect to 101 it should ping');
    const [c] = await net.counters(2);
    assert.ok(c!.rxBytes > 0 && c!.txBytes > 0, `counters ${JSON.stringify(c)}`);

    const addrs = await net.readAddresses(ns[0]!.pid);
    assert.deepEqual(
      addrs.map((a) => [a.ifname, a.ip]),
      [['veth0', ['10.199.0.1']]],
    );
    assert.equal(addrs[0]!.mac, res[0]!.ok ? res[0]!.nics[0]!.mac : '');

    const d = await net.disconnect(2, 0);
    assert.equal(d.vlan, 'disconnected');
    assert.ok(!(await pings(ns[0]!.pid, '10.199.0.3')), 'disconnected nic must not ping');

    for (const id of [0, 1, 2]) await net.detach(id);
    assert.deepEqual(ours(await links()), ours(before), 'detach leaves no tap or bridge of ours');
  }),
);

test(
  'addNics: a live container gets veth1, veth2 on their VLANs (one of them reaching a peer), a failed add leaves nothing',
  { skip: requires('root', 'busybox') },
  () =>
    withNetwork(3, async (net, ns, before) => {
      const res = await net.attachMany([
        { c: { id: 0, nics: [{ bridge: '', vlan: '101', mac: '', ip: '10.198.0.1/24' }] }, initPid: ns[0]!.pid },
        { c: { id: 1, nics: [{ bridge: '', vlan: '103', mac: '', ip: '10.198.3.2/24' }] }, initPid: ns[1]!.pid },
      ]);
      for (const r of res) assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.ok(!(await pings(ns[0]!.pid, '10.198.3.2')), 'no NIC on 103 yet');
      const added = await net.addNics(0, ns[0]!.pid, [
        { bridge: '', vlan: '103', mac: '', ip: '10.198.3.1/24' },
        { bridge: '', vlan: '104', mac: '02:00:00:00:04:01', ip: '' },
      ]);
      assert.deepEqual(
        added.map((n) => [n.vlanId, n.ip]),
        [
          [103, '10.198.3.1'],
          [104, ''],
        ],
      );
      assert.equal(added[1]!.mac, '02:00:00:00:04:01');
      const addrs = await net.readAddresses(ns[0]!.pid);
      assert.deepEqual(
        addrs.map((a) => [a.ifname, a.ip]),
        [
          ['veth0', ['10.198.0.1']],
          ['veth1', ['10.198.3.1']],
          ['veth2', []],
        ],
      );
      assert.ok(await pings(ns[0]!.pid, '10.198.3.2'), 'the added NIC on 103 reaches the peer');
      assert.equal((await net.nics(0)).length, 3);

      // A container without NICs gets its first; a bad pid fails and leaves nothing new.
      const first = await net.addNics(2, ns[2]!.pid, [{ bridge: '', vlan: '101', mac: '', ip: '10.198.0.3/24' }]);
      assert.equal(first.length, 1);
      assert.ok(await pings(ns[2]!.pid, '10.198.0.1'), 'a first NIC added to a NIC-less container works');
      const mid = ours(await links());
      await assert.rejects(net.addNics(5, 999_999_999, [{ bridge: '', vlan: '105', mac: '', ip: '' }]), /999999999/);
      await assert.rejects(net.addNics(1, ns[1]!.pid, [{ bridge: '', vlan: '5000', mac: '', ip: '' }]), /5000/);
      assert.deepEqual(ours(await links()), mid, 'a failed add leaves no tap or bridge');
      assert.equal((await net.nics(1)).length, 1, 'and the container keeps what it had');

      for (const id of [0, 1, 2]) await net.detach(id);
      assert.deepEqual(ours(await links()), ours(before), 'detach removes the added NICs too');
    }),
);

test('200 containers attach in one wave and nuke leaves nothing', { skip: requires('root') }, async () => {
  const N = 200;
  const pre = snapshot();
  const before = await links();
  const { net, dir } = newNetwork();
  const ns: Ns[] = [];
  try {
    for (let i = 0; i < N; i++) ns.push(await spawnNs());
    await net.backend(); // probe outside the timing
    const t0 = performance.now();
    const res = await net.attachMany(
      ns.map((n, i) => ({
        c: { id: 100 + i, nics: [{ bridge: '', vlan: 'LAN', mac: '', ip: `10.199.${1 + (i >> 8)}.${1 + (i & 255)}/16` }] },
        initPid: n.pid,
      })),
    );
    const attachMs = performance.now() - t0;
    const failed = res.filter((r) => !r.ok);
    assert.equal(failed.length, 0, failed.map((r) => (r.ok ? '' : r.error.message)).join('\n'));
    const macs = new Set(res.map((r) => (r.ok ? r.nics[0]!.mac : '')));
    assert.equal(macs.size, N, 'generated MACs are unique');
    assert.equal(net.vlans.resolve('LAN'), 101);
    assert.ok(await pings(ns[0]!.pid, '10.199.1.200'), 'first reaches last');
    const t1 = performance.now();
    await net.nuke();
    const nukeMs = performance.now() - t1;
    console.log(`# attachMany ${N} containers: ${attachMs.toFixed(0)} ms (${(attachMs / N).toFixed(2)} ms each); nuke: ${nukeMs.toFixed(0)} ms`);
    assert.deepEqual(ours(await links()), ours(before));
  } finally {
    await net.nuke();
    ns.forEach(killNs);
    rmSync(dir, { recursive: true, force: true });
  }
  await assertNoLeaks(pre);
});

test('a dead init pid fails only its own container in a wave', { skip: requires('root') }, async () => {
  const pre = snapshot();
  const before = await links();
  const { net, dir } = newNetwork();
  const ns = [await spawnNs(), await spawnNs()];
  try {
    const res = await net.attachMany([
      { c: { id: 0, nics: [{ bridge: '', vlan: '5', mac: '', ip: '' }] }, initPid: ns[0]!.pid },
      { c: { id: 1, nics: [{ bridge: '', vlan: '5', mac: '', ip: '' }] }, initPid: 4194303 },
      { c: { id: 2, nics: [{ bridge: '', vlan: '5000', mac: '', ip: '' }] }, initPid: ns[1]!.pid },
    ]);
    assert.equal(res[0]!.ok, true);
    assert.ok(!res[1]!.ok && res[1]!.error.code === 'E_HOST', JSON.stringify(res[1]));
    assert.ok(!res[1]!.ok && /nmt_tap\d+/.test(res[1]!.error.message), res[1]!.ok ? '' : res[1]!.error.message);
    assert.ok(!res[2]!.ok && res[2]!.error.code === 'E_CONFIG' && /5000/.test(res[2]!.error.message));
    await net.detach(0);
    assert.deepEqual(ours(await links()), ours(before));
  } finally {
    await net.nuke();
    ns.forEach(killNs);
    rmSync(dir, { recursive: true, force: true });
  }
  await assertNoLeaks(pre);
});

test('ovs backend', async (t) => {
  // Open vSwitch is optional by design: the Linux bridge is the backend every host has.
  const why = await ovsUnavailable(linuxNetHost());
  if (why) {
    t.skip(optional(why));
    return;
  }
  const pre = snapshot();
  const { net, dir } = newNetwork();
  try {
    const ovs = new Network({ stateDir: dir, backend: 'ovs', tapPrefix: TAP, defaultBridge: BRIDGE });
    assert.equal((await ovs.backend()).kind, 'ovs');
  } finally {
    await net.nuke();
    rmSync(dir, { recursive: true, force: true });
  }
  await assertNoLeaks(pre);
});
