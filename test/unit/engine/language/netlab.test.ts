import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallName, Calls } from '../../../../engine/api/contract.js';
import type { CaptureInfo } from '../../../../engine/api/types.js';
import { FakeEngine, session, vm } from './fake.js';

/** FakeEngine that also answers capture.list and capture.config. */
class LabEngine extends FakeEngine {
  captures: CaptureInfo[] = [];
  override async call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
    if (name === 'capture.list') {
      // As FakeEngine records it: the namespace apart.
      this.calls.push({ name, args: [] });
      this.namespaces.push(args[0] as string | undefined);
      return this.captures as Calls[K]['result'];
    }
    if (name === 'capture.config') {
      this.calls.push({ name, args });
      return { snaplen: 1600, filter: 'icmp' } as Calls[K]['result'];
    }
    return super.call(name, ...args);
  }
}

function cap(id: number, over: Partial<CaptureInfo> = {}): CaptureInfo {
  return {
    id,
    kind: 'vm',
    bridge: 'mega_bridge',
    vm: { id: 1, name: 'foo', index: 0 },
    iface: 'mega_tap0',
    path: `/run/nanomega/files/c${id}.pcap`,
    state: 'running',
    startedAt: 0,
    packets: 0,
    bytes: 24,
    ...over,
  };
}

const last = (e: FakeEngine) => e.calls.at(-1)!;

test("qos add sends one typed constraint; minimega's argument errors come first", async () => {
  const { s, engine } = session(new LabEngine());
  await s.exec('qos add foo[0-2] 0 loss 5');
  assert.deepEqual(last(engine), { name: 'qos.add', args: ['foo[0-2]', 0, { type: 'loss', percent: '5' }] });
  await s.exec('qos add foo 1 delay 100ms');
  assert.deepEqual(last(engine).args[2], { type: 'delay', duration: '100ms' });
  await s.exec('qos add foo 0 rate 10 mbit');
  assert.deepEqual(last(engine).args[2], { type: 'rate', bw: '10', unit: 'mbit' });
  const n = engine.calls.length;
  assert.deepEqual((await s.exec('qos add foo all loss 5')).errors, ['wildcard qos not implemented']);
  assert.deepEqual((await s.exec('qos add foo x loss 5')).errors, ['invalid tap index x']);
  // Words the patterns do not take are minicli's invalid command.
  assert.match((await s.exec('qos add foo 0 rate 10 tbit')).errors[0]!, /^invalid command: `qos add foo 0 rate 10 tbit`/);
  assert.match((await s.exec('qos add foo 0 jitter 5')).errors[0]!, /^invalid command/);
  assert.equal(engine.calls.length, n, 'nothing reached the engine');
});

test('clear qos: one interface, or all of them without an index or with all', async () => {
  const { s, engine } = session(new LabEngine());
  await s.exec('clear qos foo 1');
  assert.deepEqual(last(engine), { name: 'qos.clear', args: ['foo', 1] });
  await s.exec('clear qos foo');
  assert.deepEqual(last(engine), { name: 'qos.clear', args: ['foo'] });
  await s.exec('clear qos foo all');
  assert.deepEqual(last(engine), { name: 'qos.clear', args: ['foo'] });
  assert.deepEqual((await s.exec('clear qos foo bar')).errors, ['invalid tap index bar']);
});

test("vm info qos prints minimega's text per NIC", async () => {
  const e = new LabEngine();
  e.vms = [
    vm(0, 'a', {
      qos: [
        { index: 0, loss: '5', delay: '100ms' },
        { index: 2, rate: '1mbit' },
      ],
    }),
    vm(1, 'b'),
  ];
  const { s } = session(e);
  const r = await s.exec('.annotate false .columns name,qos vm info');
  assert.equal(r.output, 'name | qos\na    | [0: loss 5 delay 100ms, 2: rate 1mbit]\nb    | []');
});

test("capture lists running captures with minimega's columns", async () => {
  const e = new LabEngine();
  e.captures = [cap(0), cap(1, { kind: 'bridge', vm: undefined, iface: 'mega_bridge' }), cap(2, { state: 'stopped' })];
  const { s } = session(e);
  const r = await s.exec('.annotate false capture');
  assert.equal(
    r.output,
    [
      'bridge      | type | interface | mode | compress | path',
      'mega_bridge | pcap |           |      |          | /run/nanomega/files/c1.pcap',
      'mega_bridge | pcap | foo:0     |      |          | /run/nanomega/files/c0.pcap',
    ].join('\n'),
  );
  // Captures are per namespace: the list and the deletes of a namespace ask for its own.
  await s.exec('namespace lab capture');
  assert.deepEqual([last(e).name, e.namespaces.at(-1)], ['capture.list', 'lab']);
  await s.exec('namespace lab capture pcap delete 0');
  assert.deepEqual(last(e), { name: 'capture.stop', args: [[0]] });
  assert.equal(e.namespaces.at(-1), 'lab');
});

test('capture pcap vm / bridge start captures; delete by id, vm, bridge or all', async () => {
  const e = new LabEngine();
  e.captures = [cap(0), cap(1, { kind: 'bridge', vm: undefined }), cap(2, { vm: { id: 2, name: 'bar', index: 1 } })];
  const { s } = session(e);
  await s.exec('capture pcap vm foo 0 foo.pcap');
  assert.deepEqual(last(e), { name: 'capture.start', args: [{ kind: 'vm', vm: 'foo', index: 0, file: 'foo.pcap' }] });
  await s.exec('capture pcap bridge mega_bridge /tmp/b.pcap');
  assert.deepEqual(last(e), { name: 'capture.start', args: [{ kind: 'bridge', bridge: 'mega_bridge', file: '/tmp/b.pcap' }] });
  await s.exec('capture pcap delete 2');
  assert.deepEqual(last(e), { name: 'capture.stop', args: [[2]] });
  await s.exec('capture pcap delete vm foo');
  assert.deepEqual(last(e), { name: 'capture.stop', args: [[0]] });
  await s.exec('capture pcap delete bridge mega_bridge');
  assert.deepEqual(last(e), { name: 'capture.stop', args: [[1]] });
  await s.exec('capture pcap delete vm all');
  assert.deepEqual(last(e), { name: 'capture.stop', args: [[0, 2]] });
  await s.exec('capture pcap delete all');
  assert.deepEqual(last(e), { name: 'capture.stop', args: [[0, 1, 2]] });
  await s.exec('clear capture');
  assert.deepEqual(last(e), { name: 'capture.stop', args: [[0, 1, 2]] });
  assert.deepEqual((await s.exec('capture pcap delete vm nobody')).errors, ['vm not found: nobody']);
  assert.deepEqual((await s.exec('capture pcap vm foo x f.pcap')).errors, ['invalid interface: `x`']);
  assert.match((await s.exec('capture netflow bridge mega_bridge x')).errors[0]!, /netflow is not supported/);
});

test("capture pcap snaplen and filter get and set the namespace's capture settings", async () => {
  const { s, engine } = session(new LabEngine());
  await s.exec('.annotate false');
  assert.equal((await s.exec('capture pcap snaplen')).output, '1600');
  await s.exec('capture pcap snaplen 96');
  assert.deepEqual(last(engine), { name: 'capture.config', args: [{ snaplen: 96 }, 'minimega'] });
  await s.exec('capture pcap filter "icmp or arp"');
  assert.deepEqual(last(engine), { name: 'capture.config', args: [{ filter: 'icmp or arp' }, 'minimega'] });
  await s.exec('namespace lab capture pcap snaplen 200');
  assert.deepEqual(last(engine), { name: 'capture.config', args: [{ snaplen: 200 }, 'lab'] });
  assert.equal((await s.exec('capture pcap filter')).output, 'icmp');
  assert.deepEqual((await s.exec('capture pcap snaplen big')).errors, ['strconv.ParseUint: parsing "big": invalid syntax']);
});
