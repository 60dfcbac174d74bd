// `tap mirror`, as minimega's mirror article uses it: two containers talk on one VLAN, a monitor
// container on another VLAN gets a copy of every frame that crosses one of them. What the monitor's
// NIC receives is read back from a capture of its host end with tcpdump. Addresses (10.199.16.x)
// exist only inside the test's containers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { info, ping } from '../helpers/netlab.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'tcpdump');

const NET = '10.199.16';

/** ICMP echo lines between .1 and .2 in a capture file, as tcpdump reads them. */
function echoes(path: string): string[] {
  const text = execFileSync('tcpdump', ['-r', path, '-n', 'icmp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return text.split('\n').filter((l) => l.includes(`${NET}.1 > ${NET}.2: ICMP echo request`) || l.includes(`${NET}.2 > ${NET}.1: ICMP echo reply`));
}

describe('tap mirror: a monitor container sees the traffic of another passively', { skip }, () => {
  const suite = useContainerSuite();
  const file = (name: string) => join(suite.d.base, 'files', name);
  const tapOf = async (name: string) => (await info(suite.d, name)).nics[0]!.tap;
  /** Pings a → b `n` times while the monitor's NIC is captured; the echoes the monitor got. */
  const monitored = async (n: number, pcap: string) => {
    await suite.d.ok(`capture pcap vm monitor 0 ${pcap}`);
    const a = await info(suite.d, 'a');
    assert.equal((await ping(a.pid, `${NET}.2`, n, 0.1)).received, n);
    await suite.d.ok('capture pcap delete vm monitor');
    return echoes(file(pcap));
  };

  before(async () => {
    for (const [name, net] of [
      ['a', `LAN,${NET}.1/24`],
      ['b', `LAN,${NET}.2/24`],
      ['monitor', 'MON'],
    ]) {
      await suite.d.ok(`vm config net ${net}`);
      await suite.d.ok(`vm launch container ${name}`);
    }
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start all');
  });

  test('without a mirror the monitor, on another VLAN, sees none of it', async () => {
    assert.deepEqual(await monitored(3, 'none.pcap'), []);
  });

  test("tap mirror SRC DST: every frame crossing a's tap, both directions, once each", async () => {
    await suite.d.ok(`tap mirror ${await tapOf('a')} ${await tapOf('monitor')}`);
    const got = await monitored(5, 'by-tap.pcap');
    assert.equal(got.filter((l) => l.includes('request')).length, 5, got.join('\n'));
    assert.equal(got.filter((l) => l.includes('reply')).length, 5, got.join('\n'));
    assert.deepEqual(await suite.d.client.call('tap.mirrors'), [
      { namespace: 'minimega', bridge: 'mega_bridge', src: await tapOf('a'), dst: await tapOf('monitor') },
    ]);
    await suite.d.ok(`clear tap mirror ${await tapOf('monitor')}`);
    assert.deepEqual(await monitored(3, 'cleared.pcap'), [], 'nothing after clear tap mirror');
  });

  test("the vm form, minimega's errors, and the mirror kept across a daemon restart", async () => {
    const errors = async (line: string) => (await suite.d.exec(line)).errors;
    assert.deepEqual(await errors('tap mirror a 1 monitor 0'), ['no such interface 1 for a']);
    assert.deepEqual(await errors('tap mirror a 0 monitor 1'), ['no such interface 1 for monitor']);
    assert.deepEqual(await errors('tap mirror a 0 nobody 0'), ['vms are not colocated or invalid vm name: nobody']);
    assert.deepEqual(await errors('tap mirror a x monitor 0'), ['invalid interface number: `x`']);
    assert.deepEqual(await errors('tap mirror a 0 a 0'), ['cannot mirror tap to itself']);
    assert.deepEqual(await errors('tap mirror nosuchtap0 nosuchtap1'), ['source tap is not on bridge']);
    assert.deepEqual(await errors(`tap mirror ${await tapOf('a')} nosuchtap1`), ['destination tap is not on bridge']);
    await suite.d.ok('tap mirror b 0 monitor 0');
    assert.deepEqual(await errors('tap mirror a 0 monitor 0'), ['destination tap is already a mirror']);
    // A copy sent out of a mirrored port would be copied again: refused both ways.
    assert.match((await errors('tap mirror monitor 0 a 0'))[0] ?? '', /is the destination of a mirror/);
    assert.match((await errors('tap mirror a 0 b 0'))[0] ?? '', /is the source of a mirror/);
    // b's tap sees the same echoes (replies leave through it, requests arrive).
    assert.equal((await monitored(4, 'by-vm.pcap')).length, 8);
    await suite.d.crash();
    await suite.d.restart();
    assert.equal((await monitored(2, 'after-restart.pcap')).length, 4, 'the filters outlived the daemon');
    await suite.d.ok('clear tap mirror monitor 0');
    assert.deepEqual(await errors('clear tap mirror monitor 0'), ['not a valid mirror']);
    assert.deepEqual(await monitored(2, 'after-clear.pcap'), []);
  });

  test('a mirror goes with its container; clear tap removes the rest', async () => {
    await suite.d.ok('tap mirror a 0 monitor 0');
    await suite.d.ok('vm kill b');
    await suite.d.ok('vm flush b');
    assert.equal((await suite.d.client.call('tap.mirrors')).length, 1, "a's mirror stays");
    await suite.d.ok('vm kill monitor');
    assert.deepEqual(await suite.d.client.call('tap.mirrors'), [], 'its destination is gone, so is the mirror');
    await suite.d.ok('vm start monitor');
    await suite.d.ok('tap mirror a 0 monitor 0');
    await suite.d.ok('clear tap');
    assert.deepEqual(await suite.d.client.call('tap.mirrors'), []);
    const tc = execFileSync('tc', ['filter', 'show', 'dev', await tapOf('a'), 'ingress'], { encoding: 'utf8' });
    assert.equal(tc.trim(), '', 'no filter left on the source port');
  });

  test("mirrors are the namespace's: another namespace cannot clear them, clear namespace removes them", async () => {
    for (const line of [`vm config filesystem ${suite.fs.dir}`, 'vm config net LAN', 'vm launch container x,y', 'vm start all', 'tap mirror x 0 y 0']) {
      await suite.d.ok(`namespace lab ${line}`);
    }
    const [m] = await suite.d.client.call('tap.mirrors');
    assert.equal(m?.namespace, 'lab');
    assert.deepEqual((await suite.d.exec(`clear tap mirror ${m!.dst}`)).errors, ['not a valid mirror']);
    await suite.d.ok('clear namespace lab');
    assert.deepEqual(await suite.d.client.call('tap.mirrors'), []);
  });
});
