import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { ConsoleClient } from '../helpers/console.js';
import { assertNoLeaks, snapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** Addresses only ever used inside network namespaces these tests create. */
const NET = '10.199.7';

function links(): string[] {
  return execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /mega_/.test(l));
}

describe('container networking through the engine (Linux bridge backend)', { skip }, () => {
  const suite = useContainerSuite();
  const info = async (name: string): Promise<ContainerInfo> => (await suite.d.client.call('vm.info')).find((c) => c.name === name)!;
  const ping = async (from: string, to: string): Promise<boolean> => {
    const con = await ConsoleClient.connect((await info(from)).console);
    try {
      const out = await con.run(`ping -c1 -W1 ${to} >/dev/null 2>&1 && echo reach-yes || echo reach-no`);
      return out.includes('reach-yes');
    } finally {
      con.close();
    }
  };

  before(async () => {
    for (const [name, net] of [
      ['a', `LAN,${NET}.1/24`],
      ['b', `LAN,${NET}.2/24`],
      ['c', `DMZ,${NET}.3/24`],
    ]) {
      await suite.d.ok(`vm config net ${net}`);
      await suite.d.ok(`vm launch container ${name}`);
    }
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start all');
  });

  test('vm info shows vlan aliases, taps, macs and the addresses read from each container', async () => {
    const a = await info('a');
    const c = await info('c');
    assert.equal(a.nics.length, 1);
    assert.equal(a.nics[0]!.vlan, 'LAN');
    assert.equal(a.nics[0]!.vlanId, 101);
    assert.equal(c.nics[0]!.vlanId, 102);
    assert.match(a.nics[0]!.tap, /^mega_tap\d+$/);
    assert.match(a.nics[0]!.mac, /^02(:[0-9a-f]{2}){5}$/);
    assert.match(a.nics[0]!.ip, new RegExp(`^${NET.replace(/\./g, '\\.')}\\.1`));
    const out = await suite.d.ok('.columns name,vlan vm info');
    assert.match(out, /a\s+\| \[LAN \(101\)\]/);
    assert.match(await suite.d.ok('vlans'), /LAN\s+\| 101/);
    const con = await ConsoleClient.connect(a.console);
    assert.match(await con.run('ls /sys/class/net'), /veth0/);
    con.close();
  });

  test("the bridges the engine makes flood multicast as minimega's Open vSwitch bridges do: no multicast snooping", async () => {
    const tap = (await info('a')).nics[0]!.tap;
    const bridge = realpathSync(`/sys/class/net/${tap}/master`);
    assert.match(bridge, /\/mega_bridge[^/]*$/);
    assert.equal(readFileSync(join(bridge, 'bridge', 'multicast_snooping'), 'utf8').trim(), '0');
  });

  test('containers on one VLAN reach each other; another VLAN is isolated until vm net connect', async () => {
    assert.ok(await ping('a', `${NET}.2`), 'a → b on VLAN 101');
    assert.ok(!(await ping('a', `${NET}.3`)), 'a ↛ c on VLAN 102');
    await suite.d.ok('vm net connect c 0 LAN');
    assert.equal((await info('c')).nics[0]!.vlanId, 101);
    assert.ok(await ping('a', `${NET}.3`), 'a → c after connect');
    await suite.d.ok('vm net disconnect c 0');
    assert.ok(!(await ping('a', `${NET}.3`)), 'a ↛ c after disconnect');
  });

  test('preinit already sees the interface (NICs exist before preinit runs)', async () => {
    // A host program in the container's network namespace: the host's `ip` lists the container's links.
    const saw = join(suite.fs.dir, '..', 'preinit-saw');
    writeFileSync(`${suite.fs.dir}/preinit-net`, `#!/bin/sh\nip -o link show > ${saw}\n`);
    chmodSync(`${suite.fs.dir}/preinit-net`, 0o755);
    await suite.d.ok(`vm config preinit ${suite.fs.dir}/preinit-net`);
    await suite.d.ok(`vm config net LAN,${NET}.9/24`);
    await suite.d.ok('vm launch container p');
    await suite.d.ok('clear vm config preinit');
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start p');
    assert.match(readFileSync(saw, 'utf8'), /veth0/);
  });

  test('vm info reads addresses from the namespace: one added by hand in preinit shows, one never configured', async () => {
    // preinit runs with all capabilities, after the child brought veth0 up (without an address here).
    writeFileSync(`${suite.fs.dir}/preinit-addr`, `#!/bin/sh\nip addr add ${NET}.77/24 dev veth0\n`);
    chmodSync(`${suite.fs.dir}/preinit-addr`, 0o755);
    await suite.d.ok(`vm config preinit ${suite.fs.dir}/preinit-addr`);
    await suite.d.ok('vm config net LAN');
    await suite.d.ok('vm launch container h');
    await suite.d.ok('clear vm config preinit');
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start h');
    const h = await info('h');
    assert.equal(h.nics[0]!.ip, `${NET}.77`, 'the hand-added address, read from the container');
    assert.match(await suite.d.ok('.columns name,ip .filter name=h vm info'), new RegExp(`${NET.replace(/\./g, '\\.')}\\.77`));
    assert.ok(await ping('a', `${NET}.77`), 'and it is real: a reaches it');
  });

  test('VLANs 0 and 4095 work like any other; a container configures its own NIC (NET_ADMIN by default)', async () => {
    const V = '10.199.8';
    for (const [name, net] of [
      ['z0', `0,${V}.1/24`],
      ['z1', `0,${V}.2/24`],
      ['f0', `4095,${V}.3/24`],
      ['f1', `4095,${V}.4/24`],
    ]) {
      await suite.d.ok(`vm config net ${net}`);
      await suite.d.ok(`vm launch container ${name}`);
    }
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start z0,z1,f0,f1');
    assert.deepEqual([(await info('z0')).nics[0]!.vlanId, (await info('f0')).nics[0]!.vlanId], [0, 4095]);
    assert.match(await suite.d.ok('.columns name,vlan .filter name=z0 vm info'), /z0\s+\| \[0\]/);
    assert.ok(await ping('z0', `${V}.2`), 'z0 → z1 on VLAN 0');
    assert.ok(await ping('f0', `${V}.4`), 'f0 → f1 on VLAN 4095');
    assert.ok(!(await ping('z0', `${V}.3`)), 'VLAN 0 ↛ VLAN 4095');
    // No preinit, no caps setting: the container adds an address to its own NIC, and it is real.
    const con = await ConsoleClient.connect((await info('z1')).console);
    assert.doesNotMatch(await con.run(`ip addr add ${V}.22/24 dev veth0 && echo added-$((3*3))`), /not permitted/i);
    con.close();
    assert.ok(await ping('z0', `${V}.22`), 'the address z1 added itself answers');
  });

  test('a relaunched container keeps its generated MAC (a new host end, the same address), as minimega keeps it in the VM', async () => {
    await suite.d.ok(`vm config net LAN,${NET}.30/24`);
    await suite.d.ok('vm launch container m');
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start m');
    const first = (await info('m')).nics[0]!;
    assert.match(first.mac, /^02:6d:/);
    await suite.d.ok('vm kill m');
    await suite.d.ok('vm start m');
    const again = (await info('m')).nics[0]!;
    assert.equal(again.mac, first.mac);
    assert.notEqual(again.tap, first.tap, 'a new host end');
    const link = execFileSync('nsenter', ['-t', String((await info('m')).pid), '-n', 'ip', '-o', 'link', 'show', 'veth0'], { encoding: 'utf8' });
    assert.equal(/link\/ether (\S+)/.exec(link)?.[1], first.mac, 'inside the container too');
    assert.ok(await ping('a', `${NET}.30`));
  });

  test('vm net add: a running container gets veth1 on another VLAN at once; a QUIT one gets it at its next start', async () => {
    await suite.d.ok('vm launch container n');
    await suite.d.ok('vm start n');
    assert.deepEqual((await info('n')).nics, [], 'launched without NICs');
    await suite.d.ok(`vm net add n LAN,${NET}.40/24 DMZ`);
    const n = await info('n');
    assert.deepEqual(
      n.nics.map((x) => [x.vlan, x.vlanId]),
      [
        ['LAN', 101],
        ['DMZ', 102],
      ],
    );
    const inside = execFileSync('nsenter', ['-t', String(n.pid), '-n', 'ip', '-o', 'addr', 'show'], { encoding: 'utf8' });
    assert.match(inside, new RegExp(`veth0\\s+inet ${NET.replace(/\./g, '\\.')}\\.40/24`));
    assert.match(await suite.d.ok('.filter name=n .columns name,vlan vm info'), /\[LAN \(101\), DMZ \(102\)\]/);
    assert.ok(await ping('a', `${NET}.40`), 'a reaches the added NIC');
    // Bad netspecs are refused naming the value; nothing changes.
    assert.match((await suite.d.exec('vm net add n 5000')).errors.join(), /invalid VLAN 5000/);
    assert.equal((await info('n')).nics.length, 2);
    await suite.d.ok('vm kill n');
    await suite.d.ok(`vm net add n LAN,${NET}.41/24`);
    const quit = await info('n');
    assert.deepEqual(
      quit.nics.map((x) => [x.vlanId, x.tap === '']),
      [
        [101, false],
        [102, false],
        [101, true],
      ],
      'a QUIT container shows the NIC it will get, with no tap yet',
    );
    await suite.d.ok('vm start n');
    const again = await info('n');
    assert.deepEqual(
      again.nics.map((x) => x.vlanId),
      [101, 102, 101],
    );
    assert.ok(await ping('a', `${NET}.41`), 'the NIC added while QUIT exists after the start');
    await suite.d.ok('vm kill n');
    await suite.d.ok('vm flush');
  });

  test('vm kill all and vm flush leave no veth and no bridge the engine created', async () => {
    assert.ok(links().length > 0);
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
    assert.deepEqual(links(), []);
  });

  test('200 containers with one NIC each launch, start and tear down with nothing leaked', async () => {
    const before200 = snapshot();
    await suite.d.ok('vm config net LAN');
    await suite.d.ok('vm launch container n[0-199]');
    await suite.d.ok('clear vm config net');
    await suite.d.ok('vm start all');
    const all = await suite.d.client.call('vm.info');
    assert.equal(all.filter((c) => c.state === 'RUNNING' && c.nics.length === 1).length, 200);
    assert.equal(new Set(all.map((c) => c.nics[0]!.tap)).size, 200, 'one host end each');
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
    assert.deepEqual(links(), []);
    await assertNoLeaks(before200);
  });
});
