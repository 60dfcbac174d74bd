import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureInfo } from '../../../../engine/api/types.js';
import type { CaptureExit, CaptureOptions, CapturePort, CaptureProcess, CaptureSink } from '../../../../engine/net/capture-port.js';
import { Captures } from '../../../../engine/net/captures.js';
import { pcapGlobalHeader } from '../../../../engine/net/pcap.js';
import { FakeNetHost } from './fake-net-host.js';
import { record } from './pcap.test.js';

class FakeProcess implements CaptureProcess {
  readonly ready: Promise<void>;
  readonly done: Promise<CaptureExit>;
  private fns: ((c: Buffer) => void)[] = [];
  ok!: () => void;
  fail!: (e: Error) => void;
  exit!: (x: CaptureExit) => void;
  stopped = false;
  constructor(
    readonly pid: number,
    readonly opts: CaptureOptions,
  ) {
    this.ready = new Promise((res, rej) => ((this.ok = res), (this.fail = rej)));
    this.ready.catch(() => undefined);
    this.done = new Promise((res) => (this.exit = res));
  }
  onData(fn: (c: Buffer) => void): void {
    this.fns.push(fn);
  }
  emit(b: Buffer): void {
    for (const f of this.fns) f(b);
  }
  stop(): void {
    this.stopped = true;
    // tcpdump writes its header last when nothing was flushed before; here it just exits.
    setImmediate(() => this.exit({ code: 0, signal: null, stderr: '' }));
  }
}

class FakePort implements CapturePort {
  procs: FakeProcess[] = [];
  files = new Map<string, Buffer>();
  closed = new Set<string>();
  dirs = new Set<string>(['/tmp', '/dev']);
  killed: number[] = [];
  ticks = new Map<number, number>();
  autoReady = true;
  spawn(opts: CaptureOptions): CaptureProcess {
    const p = new FakeProcess(1000 + this.procs.length, opts);
    this.procs.push(p);
    this.ticks.set(p.pid, 77);
    if (this.autoReady) setImmediate(() => p.ok());
    return p;
  }
  async openSink(path: string): Promise<CaptureSink> {
    this.files.set(path, Buffer.alloc(0));
    this.closed.delete(path);
    return {
      append: async (d) => void this.files.set(path, Buffer.concat([this.files.get(path)!, d])),
      close: async () => void this.closed.add(path),
    };
  }
  async mkdirp(dir: string) {
    this.dirs.add(dir);
  }
  async isDir(dir: string) {
    return this.dirs.has(dir);
  }
  async size(path: string) {
    return this.files.get(path)?.length;
  }
  async read(path: string, offset: number, length: number) {
    return this.files.get(path)!.subarray(offset, offset + length);
  }
  async link() {
    return 'bridge' as const;
  }
  async startTicks(pid: number) {
    return this.ticks.get(pid) ?? 0;
  }
  kill(pid: number) {
    this.killed.push(pid);
    return true;
  }
  async remove(path: string) {
    this.files.delete(path);
  }
}

function setup(port = new FakePort(), host = new FakeNetHost()) {
  const events: CaptureInfo[][] = [];
  const caps = new Captures(port, host, { stateDir: '/base', filesDir: '/base/files', changed: (l) => events.push(l) });
  return { port, host, caps, events };
}

const VM = { kind: 'vm' as const, bridge: 'mega_bridge', vm: { id: 3, name: 'b', index: 0 }, ifaces: ['mega_tap1'] };

test('a capture writes one header, then whole records in arrival order, and closes the file on stop', async () => {
  const { port, caps, events } = setup();
  const info = await caps.start({ ...VM, file: 'ping.pcap' });
  assert.equal(info.path, '/base/files/ping.pcap');
  assert.ok(port.dirs.has('/base/files'), 'a relative name lives under the files directory');
  assert.deepEqual(port.procs[0]!.opts, { iface: 'mega_tap1', snaplen: 1600, filter: '' });
  const p = port.procs[0]!;
  const stream = Buffer.concat([pcapGlobalHeader(1600), record(98, 1), record(98, 2)]);
  p.emit(stream.subarray(0, 60));
  p.emit(stream.subarray(60, 150));
  p.emit(stream.subarray(150));
  const [stopped] = await caps.stop([info.id]);
  assert.equal(stopped!.state, 'stopped');
  assert.equal(stopped!.packets, 2);
  assert.ok(p.stopped);
  assert.ok(port.closed.has(info.path));
  assert.deepEqual(port.files.get(info.path), Buffer.concat([pcapGlobalHeader(1600), record(98, 1), record(98, 2)]));
  assert.equal(events.at(-1)!.find((c) => c.id === info.id)!.state, 'stopped');
  await assert.rejects(caps.stop([info.id]), /no running capture 0/);
});

test('a bridge of several kernel bridges is one file with the records of all', async () => {
  const { port, caps } = setup();
  const info = await caps.start({ kind: 'bridge', bridge: 'mega_bridge', ifaces: ['mega_bridge.101', 'mega_bridge.102'], file: '/tmp/br.pcap' });
  assert.equal(info.iface, 'mega_bridge.101,mega_bridge.102');
  port.procs[0]!.emit(Buffer.concat([pcapGlobalHeader(1600), record(60, 1)]));
  port.procs[1]!.emit(Buffer.concat([pcapGlobalHeader(1600), record(70, 2).subarray(0, 30)]));
  port.procs[1]!.emit(record(70, 2).subarray(30));
  await caps.stop([info.id]);
  assert.deepEqual(port.files.get('/tmp/br.pcap'), Buffer.concat([pcapGlobalHeader(1600), record(60, 1), record(70, 2)]));
});

test('a capture whose interface goes away ends by itself with the reason, file closed', async () => {
  const { port, caps } = setup();
  const info = await caps.start({ ...VM, file: 'x.pcap' });
  port.procs[0]!.exit({ code: 1, signal: null, stderr: 'pcap_loop: The interface disappeared' });
  await new Promise((r) => setTimeout(r, 10));
  const c = caps.list().find((x) => x.id === info.id)!;
  assert.equal(c.state, 'stopped');
  assert.equal(c.reason, 'pcap_loop: The interface disappeared');
  assert.ok(port.closed.has(info.path));
});

test("stopContainer ends only that container's captures, with its reason", async () => {
  const { caps } = setup();
  const a = await caps.start({ ...VM, file: 'a.pcap' });
  const b = await caps.start({ ...VM, vm: { id: 4, name: 'c', index: 0 }, file: 'b.pcap' });
  await caps.stopContainer(3, 'b exited');
  const list = caps.list();
  assert.equal(list.find((c) => c.id === a.id)!.state, 'stopped');
  assert.equal(list.find((c) => c.id === a.id)!.reason, 'b exited');
  assert.equal(list.find((c) => c.id === b.id)!.state, 'running');
  await caps.stopAll('test');
});

test('captures belong to a namespace: its list, its stops, and stopNamespace see only its own', async () => {
  const { caps } = setup();
  const old = await caps.start({ ...VM, file: 'old.pcap' });
  const foo = await caps.start({ ...VM, file: 'foo.pcap', namespace: 'foo' });
  const bar = await caps.start({ ...VM, vm: { id: 4, name: 'c', index: 0 }, file: 'bar.pcap', namespace: 'bar' });
  assert.deepEqual(
    caps.list('foo').map((c) => c.id),
    [foo.id],
  );
  assert.deepEqual(
    caps.list('minimega').map((c) => c.id),
    [old.id],
    "a capture started without one is the default namespace's",
  );
  assert.equal(caps.list().length, 3, 'without a namespace: every capture');
  await assert.rejects(caps.stop([bar.id], 'foo'), /no running capture 2/);
  await caps.stopNamespace('bar', 'namespace bar was destroyed');
  const stopped = caps.list().find((c) => c.id === bar.id)!;
  assert.deepEqual([stopped.state, stopped.reason], ['stopped', 'namespace bar was destroyed']);
  assert.equal(caps.list().find((c) => c.id === foo.id)!.state, 'running');
  await caps.stopAll('test');
});

test('a capturer that fails to start leaves no file and no capture', async () => {
  const port = new FakePort();
  port.autoReady = false;
  const { caps } = setup(port);
  const started = caps.start({ ...VM, file: 'bad.pcap' });
  await new Promise((r) => setImmediate(r));
  port.procs[0]!.fail(new Error("capture mega_tap1: can't parse filter expression: syntax error"));
  await assert.rejects(started, /can't parse filter expression/);
  assert.ok(!port.files.has('/base/files/bad.pcap'));
  assert.deepEqual(caps.list(), []);
});

test('bad file names and a second writer of one file are refused, naming the value', async () => {
  const { caps } = setup();
  assert.throws(() => caps.resolvePath('../../etc/passwd'), /leaves the files directory/);
  assert.throws(() => caps.resolvePath(''), /invalid capture file/);
  await assert.rejects(caps.start({ ...VM, file: '/nonexistent/dir/x.pcap' }), /directory \/nonexistent\/dir does not exist/);
  const a = await caps.start({ ...VM, file: 'same.pcap' });
  await assert.rejects(caps.start({ ...VM, file: 'same.pcap' }), /already writes \/base\/files\/same.pcap/);
  await caps.start({ ...VM, file: '/dev/null' });
  await caps.start({ ...VM, file: '/dev/null' });
  await caps.stop([a.id]);
  await caps.stopAll('test');
});

test('snaplen and filter apply to new captures; a bad snaplen names the value', async () => {
  const { port, caps } = setup();
  await caps.setConfig({ snaplen: 96, filter: 'icmp' });
  await caps.start({ ...VM, file: 'f.pcap' });
  assert.deepEqual(port.procs[0]!.opts, { iface: 'mega_tap1', snaplen: 96, filter: 'icmp' });
  await assert.rejects(caps.setConfig({ snaplen: 0 }), /invalid snaplen: `0`/);
  await caps.stopAll('test');
});

test("snaplen and filter are each namespace's own (minimega), kept over a restart, reset when the namespace goes", async () => {
  const { port, host, caps } = setup();
  await caps.setConfig({ snaplen: 200, filter: 'arp' }, 'lab');
  assert.deepEqual(caps.getConfig(), { snaplen: 1600, filter: '' }, 'the default namespace keeps the defaults');
  assert.deepEqual(caps.getConfig('other'), { snaplen: 1600, filter: '' });
  await caps.setConfig({ filter: 'icmp' });
  await caps.start({ ...VM, file: 'lab.pcap', namespace: 'lab' });
  await caps.start({ ...VM, file: 'default.pcap' });
  assert.deepEqual(
    port.procs.map((p) => p.opts),
    [
      { iface: 'mega_tap1', snaplen: 200, filter: 'arp' },
      { iface: 'mega_tap1', snaplen: 1600, filter: 'icmp' },
    ],
  );
  await caps.stopAll('test');
  const again = setup(new FakePort(), host);
  await again.caps.recover();
  assert.deepEqual(again.caps.getConfig('lab'), { snaplen: 200, filter: 'arp' }, 'read back after a restart');
  assert.deepEqual(again.caps.getConfig(), { snaplen: 1600, filter: 'icmp' });
  await again.caps.forgetConfig('lab');
  assert.deepEqual(again.caps.getConfig('lab'), { snaplen: 1600, filter: '' });
});

test('read hands out the file in chunks, eof once stopped and read to the end', async () => {
  const { port, caps } = setup();
  const info = await caps.start({ ...VM, file: 'r.pcap' });
  port.procs[0]!.emit(Buffer.concat([pcapGlobalHeader(1600), record(100, 1)]));
  await caps.stop([info.id]);
  const size = port.files.get(info.path)!.length;
  const a = await caps.read(info.id, 0, 100);
  assert.equal(Buffer.from(a.data, 'base64').length, 100);
  assert.equal(a.eof, false);
  const b = await caps.read(info.id, 100, 1000);
  assert.equal(b.offset + Buffer.from(b.data, 'base64').length, size);
  assert.equal(b.eof, true);
  await assert.rejects(caps.read(99, 0, 10), /no capture 99/);
  await assert.rejects(caps.read(info.id, -1, 10), /invalid offset/);
  await assert.rejects(caps.read(info.id, 0, 10 << 20), /invalid length/);
});

test('a restarted daemon stops the capturers the previous one left and lists them as stopped', async () => {
  const first = setup();
  const info = await first.caps.start({ ...VM, file: 'old.pcap' });
  // The daemon dies here: its state file says the capture runs with pid 1000.
  const port = new FakePort();
  port.ticks.set(1000, 77);
  port.files.set(info.path, Buffer.alloc(124));
  const second = setup(port, first.host);
  await second.caps.recover();
  assert.deepEqual(port.killed, [1000]);
  const c = second.caps.list().find((x) => x.id === info.id)!;
  assert.equal(c.state, 'stopped');
  assert.equal(c.reason, 'the daemon restarted');
  assert.equal(c.bytes, 124);
  const next = await second.caps.start({ ...VM, file: 'new.pcap' });
  assert.equal(next.id, info.id + 1, 'ids are not reused');
  await second.caps.stopAll('test');
});
