// Cross-host VLANs as logic: the ip/bridge lines of a tunnel, which VLANs a host has, and how two hosts
// sharing an in-memory store agree on their tunnels (engine/net/vxlan.ts, engine/cluster/vxlan-sync.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerInfo, NicInfo } from '../../../../engine/api/types.js';
import { localSegments, VxlanSync } from '../../../../engine/cluster/vxlan-sync.js';
import { MemoryCluster } from '../../../../engine/cluster/memory-store.js';
import type { ClusterStore } from '../../../../engine/cluster/store.js';
import { bridgeBlock, fdbLines, parseSegment, segmentKey, vxlanCreateLines, vxlanMtu, vxlanName, vxlanVni } from '../../../../engine/net/vxlan.js';
import { until } from '../../../helpers/wait.js';
import { vm } from '../language/fake.js';

function nic(vlanId: number, over: Partial<NicInfo> = {}): NicInfo {
  return { vlan: String(vlanId), vlanId, bridge: 'mega_bridge', tap: 'mega_tap0', mac: '00:00:00:00:00:01', ip: '', ip6: '', ...over };
}

test('a tunnel: VNI and name from the segment, IANA port, the MTU left after the outer headers', () => {
  const def = { bridge: 'mega_bridge', vlan: 101 };
  assert.equal(vxlanName(def), 'nmvx101');
  assert.equal(vxlanVni(def), 101, 'the default bridge: VNI = VLAN');
  assert.deepEqual(vxlanCreateLines(def, '10.0.0.1', 1450), ['link add nmvx101 mtu 1450 type vxlan id 101 local 10.0.0.1 dstport 4789']);
  // another bridge: its own VNI block, the same on every host; names within IFNAMSIZ
  const other = { bridge: 'lab_br', vlan: 4094 };
  const block = bridgeBlock('lab_br');
  assert.ok(block >= 1 && block <= 4000);
  assert.equal(bridgeBlock('lab_br'), block);
  assert.equal(vxlanVni(other), block * 4096 + 4094);
  assert.ok(vxlanVni(other) < 2 ** 24, 'a 24-bit VNI');
  assert.equal(vxlanName(other), `nmvx4094.${block.toString(16)}`);
  assert.ok(vxlanName(other).length <= 15, 'IFNAMSIZ');
  assert.notEqual(vxlanName(other), vxlanName({ bridge: 'mega_bridge', vlan: 4094 }));
  assert.deepEqual(parseSegment(segmentKey(other)), other);
  assert.equal(vxlanMtu(1500, '10.0.0.1'), 1450);
  assert.equal(vxlanMtu(9000, 'fd00::1'), 8930);
});

test('head-end replication: entries added for new endpoints, removed for gone ones, none for kept ones', () => {
  assert.deepEqual(fdbLines('nmvx101', new Set(['10.0.0.2', '10.0.0.3']), new Set(['10.0.0.3', '10.0.0.4'])), [
    'fdb append 00:00:00:00:00:00 dev nmvx101 dst 10.0.0.4',
    'fdb del 00:00:00:00:00:00 dev nmvx101 dst 10.0.0.2',
  ]);
  assert.deepEqual(fdbLines('nmvx101', new Set(['10.0.0.2']), new Set(['10.0.0.2'])), []);
});

test('a host’s segments: live containers’ connected NICs, per bridge and VLAN', () => {
  const vms: ContainerInfo[] = [
    vm(1, 'a', { state: 'RUNNING', nics: [nic(101), nic(102, { vlan: 'disconnected' })] }),
    vm(2, 'b', { state: 'BUILDING', nics: [nic(103)] }),
    vm(3, 'c', { state: 'QUIT', nics: [nic(104)] }),
    vm(4, 'd', { state: 'PAUSED', nics: [nic(105, { bridge: 'other' })] }),
  ];
  assert.deepEqual([...localSegments(vms)].sort(), ['mega_bridge/101', 'mega_bridge/103', 'other/105']);
});

class Host {
  vms: ContainerInfo[] = [];
  wanted: Map<string, string[]>[] = [];
  /** What the next tunnel syncs answer (true when none is queued): false is a segment the kernel refused. */
  tunnelResults: boolean[] = [];
  private fire = (): void => undefined;
  readonly sync: VxlanSync;
  constructor(store: MemoryCluster, name: string, address: string, session: (s: ClusterStore) => ClusterStore = (s) => s) {
    const tunnels = {
      sync: async (want: ReadonlyMap<string, ReadonlySet<string>>) => {
        this.wanted.push(new Map([...want].map(([v, s]) => [v, [...s].sort()])));
        return this.tunnelResults.shift() ?? true;
      },
    };
    this.sync = new VxlanSync(
      session(store.session(name)),
      name,
      { address, mtu: 1500 },
      tunnels,
      () => this.vms,
      (fn) => ((this.fire = fn), () => undefined),
    );
  }
  /** The containers changed (the engine's containers.changed). */
  change(vms: ContainerInfo[]): void {
    this.vms = vms;
    this.fire();
  }
  last(): Record<string, string[]> {
    return Object.fromEntries(this.wanted.at(-1) ?? []);
  }
}

test('two hosts tunnel exactly the VLANs both have, to each other; the last member leaving removes the tunnel', async () => {
  const store = new MemoryCluster();
  const a = new Host(store, 'ha', '10.0.0.1');
  const b = new Host(store, 'hb', '10.0.0.2');
  a.vms = [vm(1, 'a1', { state: 'RUNNING', nics: [nic(101)] })];
  await a.sync.start();
  assert.deepEqual(a.last(), { 'mega_bridge/101': [] }, 'alone on VLAN 101: no remote endpoint, no tunnel');
  assert.ok(store.data.has('/nanomega/vxlan/mega_bridge/101/ha'));

  b.vms = [vm(2, 'b1', { state: 'RUNNING', nics: [nic(101)] }), vm(3, 'b2', { state: 'RUNNING', nics: [nic(102)] })];
  await b.sync.start();
  assert.deepEqual(b.last(), { 'mega_bridge/101': ['10.0.0.1'], 'mega_bridge/102': [] });
  await until('ha tunnels VLAN 101 to hb', () => JSON.stringify(a.last()) === JSON.stringify({ 'mega_bridge/101': ['10.0.0.2'] }), 5_000);

  // a1 dies: ha publishes no VLAN, hb keeps no endpoint for 101
  a.change([{ ...a.vms[0]!, state: 'QUIT' }]);
  await until('ha has no VLAN', () => JSON.stringify(a.last()) === '{}', 5_000);
  assert.ok(!store.data.has('/nanomega/vxlan/mega_bridge/101/ha'));
  await until('hb keeps no endpoint for 101', () => JSON.stringify(b.last()) === JSON.stringify({ 'mega_bridge/101': [], 'mega_bridge/102': [] }), 5_000);
  await a.sync.stop();
  await b.sync.stop();
});

test('a sync that fails is tried again with no further change: a put etcd refused, then a tunnel the kernel refused', async () => {
  const store = new MemoryCluster();
  let refusals = 1;
  const flaky = (s: ClusterStore): ClusterStore =>
    new Proxy(s, {
      get(target, key) {
        if (key === 'put' && refusals > 0) {
          refusals--;
          return () => Promise.reject(new Error('etcdserver: leader changed'));
        }
        const v: unknown = Reflect.get(target, key);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  const a = new Host(store, 'ha', '10.0.0.1', flaky);
  a.vms = [vm(1, 'a1', { state: 'RUNNING', nics: [nic(101)] })];
  await a.sync.start();
  assert.equal(a.wanted.length, 0, 'the refused put stopped the first sync before the tunnels');
  assert.ok(!store.data.has('/nanomega/vxlan/mega_bridge/101/ha'));
  await until('ha published VLAN 101 on a retry', () => store.data.has('/nanomega/vxlan/mega_bridge/101/ha'), 5_000);

  const b = new Host(store, 'hb', '10.0.0.2');
  b.vms = [vm(2, 'b1', { state: 'RUNNING', nics: [nic(101)] })];
  b.tunnelResults = [false];
  await b.sync.start();
  assert.equal(b.wanted.length, 1);
  await until('hb made its tunnel again after the kernel refused it', () => b.wanted.length >= 2, 5_000);
  assert.deepEqual(b.last(), { 'mega_bridge/101': ['10.0.0.1'] });
  const settled = b.wanted.length;
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(b.wanted.length, settled, 'no more syncs once one succeeded');
  await a.sync.stop();
  await b.sync.stop();
});
