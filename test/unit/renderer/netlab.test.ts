import { createTestingPinia } from '@pinia/testing';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { ContainerInfo, NicInfo } from '../../../engine/api/types';
import { captureCommand, connectCommand, inNamespace, qosAddCommand } from '../../../renderer/lib/netlab-commands';
import { buildTopology, clusterLayout, diffTopology } from '../../../renderer/lib/topology-model';
import { useCapturesStore } from '../../../renderer/stores/captures';
import { useConsoleGridStore } from '../../../renderer/stores/console-grid';
import { useTopologyStore } from '../../../renderer/stores/topology';
import { fakeEngine, info } from './fake-engine';

beforeEach(() => {
  createTestingPinia({ createSpy: vi.fn, stubActions: false });
});

const nic = (vlan: string, vlanId: number, bridge = 'mega_bridge'): NicInfo => ({ vlan, vlanId, bridge, tap: `mega_tap${vlanId}`, mac: '', ip: '', ip6: '' });
const vm = (id: number, nics: NicInfo[], over: Partial<ContainerInfo> = {}): ContainerInfo => ({ ...info(id, `c${id}`, 'RUNNING'), nics, ...over });

describe('topology model', () => {
  test('segments per bridge and VLAN, one edge per NIC, a container on two segments is a router', () => {
    const t = buildTopology({
      containers: [vm(0, [nic('LAN', 101)]), vm(1, [nic('LAN', 101), nic('DMZ', 102)]), vm(2, [nic('5', 5, 'br2'), nic('disconnected', 0)]), vm(3, [])],
      taps: [{ name: 'tap0', bridge: 'mega_bridge', vlan: 'LAN', vlanId: 101, ip: '10.0.0.1/24', dhcp: false }],
      dnsmasq: [{ id: 0, address: '10.0.0.1', min: '10.0.0.10', max: '10.0.0.99', path: '', pid: 5, interface: 'tap0', config: '' }],
    });
    const ids = t.nodes.map((n) => n.id).sort();
    expect(ids).toEqual([
      'br:br2',
      'br:mega_bridge',
      'dns:0',
      'seg:br2:5',
      'seg:mega_bridge:101',
      'seg:mega_bridge:102',
      'tap:tap0',
      'vm:0',
      'vm:1',
      'vm:2',
      'vm:3',
    ]);
    expect(t.nodes.find((n) => n.id === 'seg:mega_bridge:101')!.label).toBe('LAN (101)');
    expect(t.nodes.find((n) => n.id === 'seg:br2:5')!.label).toBe('5');
    expect(t.nodes.filter((n) => n.router).map((n) => n.id)).toEqual(['vm:1']);
    expect(t.edges.filter((e) => e.kind === 'nic').map((e) => `${e.source}>${e.target}`)).toEqual([
      'vm:0>seg:mega_bridge:101',
      'vm:1>seg:mega_bridge:101',
      'vm:1>seg:mega_bridge:102',
      'vm:2>seg:br2:5',
    ]);
    expect(t.edges.filter((e) => e.kind === 'trunk')).toHaveLength(3);
    expect(t.edges.find((e) => e.kind === 'tap')!.target).toBe('seg:mega_bridge:101');
    expect(t.edges.find((e) => e.kind === 'dhcp')!.target).toBe('tap:tap0');
  });

  test("draws a tap mirror from the mirrored port's owner to the monitor, a container or a host tap", () => {
    const t = buildTopology({
      containers: [vm(0, [nic('LAN', 101)]), vm(1, [nic('MON', 7)])],
      taps: [{ name: 'lab_t0', bridge: 'mega_bridge', vlan: 'LAN', vlanId: 101, ip: '', dhcp: false }],
      mirrors: [
        { namespace: 'minimega', bridge: 'mega_bridge', src: 'mega_tap101', dst: 'mega_tap7' },
        { namespace: 'minimega', bridge: 'mega_bridge', src: 'mega_tap7', dst: 'lab_t0' },
        { namespace: 'minimega', bridge: 'mega_bridge', src: 'gone', dst: 'mega_tap101' },
      ],
    });
    expect(t.edges.filter((e) => e.kind === 'mirror').map((e) => [e.source, e.target])).toEqual([
      ['vm:0', 'vm:1'],
      ['vm:1', 'tap:lab_t0'],
    ]);
  });

  test('qos and a stopped container show on their edges', () => {
    const t = buildTopology({ containers: [vm(0, [nic('LAN', 101)], { state: 'QUIT', qos: [{ index: 0, loss: '5', delay: '100ms' }] })] });
    expect(t.edges.find((e) => e.kind === 'nic')).toMatchObject({ qos: 'loss 5% delay 100ms', down: true });
  });

  test('the diff adds, removes and updates only what changed', () => {
    const a = buildTopology({ containers: [vm(0, [nic('LAN', 101)]), vm(1, [nic('LAN', 101)])] });
    const b = buildTopology({ containers: [vm(0, [nic('DMZ', 102)], { state: 'PAUSED' }), vm(2, [nic('LAN', 101)])] });
    const d = diffTopology(a, b);
    expect(d.addNodes.map((n) => n.id).sort()).toEqual(['seg:mega_bridge:102', 'vm:2']);
    expect(d.remove.sort()).toEqual(['nic:0:0', 'nic:1:0', 'vm:1']);
    expect(d.addEdges.map((e) => e.id).sort()).toEqual(['nic:0:0', 'nic:2:0', 'trunk:mega_bridge:102']);
    expect(d.updateNodes.map((n) => n.id)).toEqual(['vm:0']);
    expect(diffTopology(b, b)).toEqual({ addNodes: [], addEdges: [], remove: [], updateNodes: [], updateEdges: [] });
  });

  test('the cluster layout places every node, keeps saved positions and puts members round their segment', () => {
    const containers = Array.from({ length: 200 }, (_, i) => vm(i, i % 50 === 0 ? [nic('A', 1), nic('B', 2)] : [nic(`V${i % 4}`, 10 + (i % 4))]));
    const t = buildTopology({ containers });
    const p = clusterLayout(t, { 'vm:7': { x: 5, y: 6 } });
    for (const n of t.nodes) expect(p[n.id], n.id).toBeDefined();
    expect(p['vm:7']).toEqual({ x: 5, y: 6 });
    const seg = p['seg:mega_bridge:11']!;
    const member = p['vm:1']!;
    expect(Math.hypot(member.x - seg.x, member.y - seg.y)).toBeLessThan(400);
    const distinct = new Set(Object.values(p).map((q) => `${Math.round(q.x)},${Math.round(q.y)}`));
    expect(distinct.size).toBe(Object.keys(p).length);
  });
});

describe('equivalent commands', () => {
  test('as minimega would type them', () => {
    expect(qosAddCommand('web 1', 0, { type: 'rate', bw: '10', unit: 'mbit' })).toBe('qos add "web 1" 0 rate 10 mbit');
    expect(captureCommand({ kind: 'vm', vm: 'a', index: 1, file: 'a.pcap' })).toBe('capture pcap vm a 1 a.pcap');
    expect(captureCommand({ kind: 'bridge', bridge: 'mega_bridge', file: 'b.pcap' })).toBe('capture pcap bridge mega_bridge b.pcap');
    expect(connectCommand('db1', 0, 'DMZ')).toBe('vm net connect db1 0 DMZ');
    expect(connectCommand('db1', 1, '5', 'br2')).toBe('vm net connect db1 1 5 br2');
    expect(inNamespace('lab', connectCommand('db1', 0, 'DMZ'))).toBe('namespace lab vm net connect db1 0 DMZ');
    expect(inNamespace('minimega', 'vm info')).toBe('vm info');
  });
});

describe('console grid store', () => {
  test('fills empty cells, grows to 3×3 when 2×2 is too small, moves focus with wrap-around', () => {
    const g = useConsoleGridStore();
    g.setSize(2);
    g.fill([1, 2, 3]);
    expect(g.visible).toEqual([1, 2, 3, undefined]);
    g.fill([3, 4, 5]);
    expect(g.size).toBe(3);
    expect(g.visible.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
    g.focus(0);
    g.move('left');
    expect(g.focused).toBe(2);
    g.move('down');
    expect(g.focused).toBe(5);
    g.move('up');
    g.move('up');
    expect(g.focused).toBe(8);
    g.assign(8, 1);
    expect(g.visible[0]).toBeUndefined();
    expect(g.visible[8]).toBe(1);
    g.prune((id) => id !== 2);
    expect(g.visible[1]).toBeUndefined();
  });
});

describe('captures and topology stores', () => {
  test('captures follow captures.changed; start and stop go to the engine; a failure becomes a notice', async () => {
    const running = {
      id: 3,
      kind: 'vm' as const,
      bridge: 'mega_bridge',
      vm: { id: 1, name: 'c1', index: 0 },
      iface: 'mega_tap1',
      path: '/f/a.pcap',
      state: 'running' as const,
      startedAt: 0,
      packets: 5,
      bytes: 100,
    };
    const { emit, call } = fakeEngine({
      'capture.list': () => [],
      'capture.start': () => running,
      'capture.stop': () => {
        throw new Error('no running capture 9');
      },
    });
    const s = useCapturesStore();
    await s.hydrate();
    expect(s.list).toEqual([]);
    emit('captures.changed', [running]);
    expect(s.ofNic(1, 0)?.id).toBe(3);
    await s.start({ kind: 'vm', vm: 'c1', index: 0, file: 'a.pcap' }, 'lab');
    expect(call).toHaveBeenCalledWith('capture.start', { kind: 'vm', vm: 'c1', index: 0, file: 'a.pcap' }, 'lab');
    await s.stop(9);
    const { useNotices } = await import('../../../renderer/stores/notices');
    expect(useNotices().notices.at(-1)!.message).toBe('capture pcap delete 9: no running capture 9');
  });

  test('the layout is read and saved per namespace, debounced', async () => {
    vi.useFakeTimers();
    const { call } = fakeEngine({
      'topology.layout.get': () => ({ positions: { 'vm:1': { x: 1, y: 2 } }, savedAt: 1 }),
      'topology.layout.set': () => undefined,
    });
    const t = useTopologyStore();
    expect(await t.loadLayout()).toEqual({ 'vm:1': { x: 1, y: 2 } });
    t.saveLayout({ 'vm:1': { x: 3, y: 4 } });
    t.saveLayout({ 'vm:1': { x: 5, y: 6 } });
    await vi.advanceTimersByTimeAsync(1000);
    const sets = call.mock.calls.filter(([n]) => n === 'topology.layout.set');
    expect(sets).toHaveLength(1);
    expect(sets[0]![1]).toBe('');
    expect((sets[0]![2] as { positions: unknown }).positions).toEqual({ 'vm:1': { x: 5, y: 6 } });
    vi.useRealTimers();
  });
});
