import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { alive, childrenOf, eventually, info, ping } from '../helpers/netlab.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'tcpdump');

/** Addresses only ever used inside the network namespaces these tests create. */
const NET = '10.199.15';

/** What tcpdump itself reads back from a capture file. */
function readBack(path: string): string {
  return execFileSync('tcpdump', ['-r', path, '-n'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const icmp = (text: string, kind: 'request' | 'reply') => text.split('\n').filter((l) => l.includes(`ICMP echo ${kind}`)).length;

describe('capture: pcap files of container NICs and bridges, read back with tcpdump', { skip }, () => {
  const suite = useContainerSuite();
  const files = () => join(suite.d.base, 'files');
  const tcpdumps = () => childrenOf(suite.d.proc.pid!, 'tcpdump');

  before(async () => {
    for (const [name, ip] of [
      ['ca', `${NET}.1/24`],
      ['cb', `${NET}.2/24`],
    ]) {
      await suite.d.ok(`vm config net LAN,${ip}`);
      await suite.d.ok(`vm launch container ${name}`);
    }
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start all');
  });

  test('a capture of a ping on a container NIC holds its ICMP packets, written whole on delete', async () => {
    await suite.d.ok('capture pcap vm cb 0 ping.pcap');
    const list = await suite.d.ok('capture');
    assert.match(list, /^bridge\s+\| type \| interface \| mode \| compress \| path$/m, "minimega's columns");
    assert.match(list, new RegExp(`^mega_bridge \\| pcap \\| cb:0\\s+\\|\\s+\\|\\s+\\| ${join(files(), 'ping.pcap')}$`, 'm'));
    assert.equal(tcpdumps().length, 1);
    const a = await info(suite.d, 'ca');
    assert.equal((await ping(a.pid, `${NET}.2`, 5, 0.1)).received, 5);
    await suite.d.ok('capture pcap delete vm cb');
    assert.equal((await suite.d.ok('capture')).split('\n').length, 1, 'only the header is left');
    assert.deepEqual(tcpdumps(), [], 'tcpdump is gone');
    const text = readBack(join(files(), 'ping.pcap'));
    assert.ok(icmp(text, 'request') >= 5, text);
    assert.ok(icmp(text, 'reply') >= 5, text);
    assert.match(text, new RegExp(`IP ${NET}\\.1 > ${NET}\\.2: ICMP echo request`));
  });

  test('a capture deleted before tcpdump ran again still holds every packet that crossed before the delete', async () => {
    await suite.d.ok('capture pcap vm cb 0 late.pcap');
    const [pid] = tcpdumps();
    // As if the scheduler had not run tcpdump since the packets arrived: they wait in its ring.
    process.kill(pid!, 'SIGSTOP');
    try {
      const a = await info(suite.d, 'ca');
      assert.equal((await ping(a.pid, `${NET}.2`, 4, 0.05)).received, 4);
      const deleted = suite.d.ok('capture pcap delete vm cb');
      await new Promise((r) => setTimeout(r, 200));
      process.kill(pid!, 'SIGCONT');
      await deleted;
    } finally {
      if (alive(pid!)) process.kill(pid!, 'SIGCONT');
    }
    assert.deepEqual(tcpdumps(), [], 'tcpdump is gone');
    const text = readBack(join(files(), 'late.pcap'));
    assert.equal(icmp(text, 'request'), 4, text);
    assert.equal(icmp(text, 'reply'), 4, text);
  });

  test('a bridge capture sees the traffic between two containers on it', async () => {
    const out = await suite.d.client.call('capture.start', { kind: 'bridge', bridge: 'mega_bridge', file: 'bridge.pcap' });
    assert.equal(out.kind, 'bridge');
    const a = await info(suite.d, 'ca');
    await ping(a.pid, `${NET}.2`, 3, 0.1);
    const [stopped] = await suite.d.client.call('capture.stop', [out.id]);
    assert.equal(stopped!.state, 'stopped');
    assert.ok(stopped!.packets >= 6, `${stopped!.packets} packets`);
    const text = readBack(out.path);
    assert.ok(icmp(text, 'request') >= 3 && icmp(text, 'reply') >= 3, text);
    // The download path: the same bytes through capture.read.
    const chunk = await suite.d.client.call('capture.read', out.id, 0, 1 << 20);
    assert.ok(chunk.eof);
    assert.deepEqual(Buffer.from(chunk.data, 'base64'), readFileSync(out.path));
  });

  test('killing the container ends its capture cleanly: file whole, tcpdump gone', async () => {
    await suite.d.ok('vm config net LAN');
    await suite.d.ok('vm launch container ck');
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start ck');
    const c = await suite.d.client.call('capture.start', { kind: 'vm', vm: 'ck', index: 0, file: 'killed.pcap' });
    const pid = tcpdumps()[0]!;
    await suite.d.ok('vm kill ck');
    assert.ok(!alive(pid), 'tcpdump stopped before vm kill returned');
    const after = (await suite.d.client.call('capture.list')).find((x) => x.id === c.id)!;
    assert.equal(after.state, 'stopped');
    assert.equal(after.reason, 'ck exited');
    readBack(c.path); // throws on a truncated or corrupt file
    await suite.d.ok('vm flush ck');
  });

  test('a daemon restart stops the captures of the old daemon and lists them as stopped', async () => {
    const c = await suite.d.client.call('capture.start', { kind: 'vm', vm: 'cb', index: 0, file: 'restart.pcap' });
    const [pid] = tcpdumps();
    const a = await info(suite.d, 'ca');
    await ping(a.pid, `${NET}.2`, 2, 0.1);
    // The daemon appends whole packets as tcpdump hands them over; a SIGKILL can only lose what is still in
    // flight, so wait until both requests are in the file, then crash: what was written must stay readable.
    const captured = () => {
      try {
        return icmp(readBack(c.path), 'request') >= 2;
      } catch {
        return false; // not written yet
      }
    };
    assert.ok(await eventually(captured), 'both requests captured before the crash');
    await suite.d.crash();
    await suite.d.restart();
    assert.ok(await eventually(() => !alive(pid!)), 'the old tcpdump was stopped');
    const after = (await suite.d.client.call('capture.list')).find((x) => x.id === c.id)!;
    assert.equal(after.state, 'stopped');
    assert.equal(after.reason, 'the daemon restarted');
    const text = readBack(c.path);
    assert.ok(icmp(text, 'request') >= 2, text);
  });

  test('bad input names the value and leaves no file or process', async () => {
    await suite.d.ok('capture pcap filter "this is not bpf("');
    const r = await suite.d.exec('capture pcap vm cb 0 badfilter.pcap');
    assert.match(r.errors[0] ?? '', /syntax error|can't parse filter/);
    await suite.d.ok('capture pcap filter ""');
    assert.ok(!existsSync(join(files(), 'badfilter.pcap')));
    assert.match((await suite.d.exec('capture pcap vm cb 0 ../../escape.pcap')).errors[0] ?? '', /leaves the files directory/);
    assert.deepEqual((await suite.d.exec('capture pcap vm cb 3 x.pcap')).errors, ['no such interface 3 for cb']);
    assert.deepEqual((await suite.d.exec('capture pcap vm nobody 0 x.pcap')).errors, ['vm not found: nobody']);
    assert.deepEqual((await suite.d.exec('capture pcap bridge no_such_br x.pcap')).errors, ['bridge not found: no_such_br']);
    assert.deepEqual((await suite.d.exec('capture pcap delete vm nobody')).errors, ['vm not found: nobody']);
    assert.deepEqual(tcpdumps(), []);
  });

  test('clear capture and vm flush leave no tcpdump', async () => {
    await suite.d.ok('capture pcap vm ca 0 a.pcap');
    await suite.d.ok('capture pcap bridge mega_bridge b.pcap');
    assert.equal(tcpdumps().length, 2);
    await suite.d.ok('clear capture');
    assert.deepEqual(tcpdumps(), []);
    await suite.d.ok('capture pcap vm ca 0 a2.pcap');
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
    assert.deepEqual(tcpdumps(), []);
    assert.equal((await suite.d.ok('capture')).split('\n').length, 1);
  });
});
