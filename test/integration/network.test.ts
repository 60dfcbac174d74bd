import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
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

  test("the host is not on a container's VLAN: no address on the bridge or the host ends, nothing reaches the host through them", async () => {
    const a = await info('a');
    const b = await info('b');
    const bridgeDir = realpathSync(`/sys/class/net/${a.nics[0]!.tap}/master`);
    const bridge = bridgeDir.split('/').pop()!;
    const knob = (p: string) => readFileSync(`/proc/sys/net/${p}`, 'utf8').trim();
    assert.equal(knob(`ipv6/conf/${bridge}/disable_ipv6`), '1');
    assert.equal(knob(`ipv4/conf/${bridge}/rp_filter`), '1');
    const v6 = (dev: string) => execFileSync('ip', ['-6', '-o', 'addr', 'show', 'dev', dev], { encoding: 'utf8' }).trim();
    assert.equal(v6(bridge), '', 'the bridge has no IPv6 address');
    assert.equal(v6(a.nics[0]!.tap), '', 'nor has the host end');

    // From a, every node on the VLAN answers an all-nodes echo: b does, the host must not.
    const inA = (argv: string[]) => execFileSync('nsenter', [`--net=/proc/${a.pid}/ns/net`, '--', ...argv], { encoding: 'utf8' });
    /** veth0's link-local address once duplicate address detection is done with it (until then it answers nothing). */
    const linkLocal = async (pid: number): Promise<string> => {
      for (let i = 0; ; i++) {
        const out = execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, '--', 'ip', '-6', '-o', 'addr', 'show', 'dev', 'veth0', 'scope', 'link'], {
          encoding: 'utf8',
        });
        const m = /inet6 (fe80::[0-9a-f:]+)\/64 (.*)/.exec(out);
        if (m && !m[2]!.includes('tentative')) return m[1]!;
        if (i === 50) throw new Error(`no link-local address on veth0 of ${pid}: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const [llA, llB] = [await linkLocal(a.pid), await linkLocal(b.pid)];
    const echo = spawnSync('nsenter', [`--net=/proc/${a.pid}/ns/net`, '--', 'busybox', 'ping', '-6', '-c', '3', '-w', '3', 'ff02::1%veth0'], {
      encoding: 'utf8',
    });
    const answered = new Set([...echo.stdout.matchAll(/from (fe80::[0-9a-f:]*[0-9a-f])/g)].map((m) => m[1]));
    assert.ok(answered.has(llB), `b answers: ${echo.stdout}`);
    const hostLinkLocal = execFileSync('ip', ['-6', '-o', 'addr', 'show', 'scope', 'link'], { encoding: 'utf8' });
    for (const who of answered) if (who !== llA && who !== llB) assert.ok(!hostLinkLocal.includes(`${who}/`), `the host answered as ${who}`);

    // Datagrams a sends to host addresses (ones this test makes) through the bridge, with the bridge's
    // MAC as their next hop as a hostile container would set it, never arrive. (A veth pair holds them: this
    // kernel may have no dummy device.)
    const addrs = 'nmt_hostoff';
    execFileSync('sh', [
      '-c',
      `ip link add ${addrs} type veth peer name ${addrs}1 && ip addr add 198.18.77.1/32 dev ${addrs} && ip addr add fd00:6e6d::1/128 dev ${addrs} nodad && ip link set ${addrs} up`,
    ]);
    const sockets = [createSocket('udp4'), createSocket('udp6')];
    try {
      const got: string[] = [];
      const ports: number[] = [];
      for (const [i, addr] of ['198.18.77.1', 'fd00:6e6d::1'].entries()) {
        const sock = sockets[i]!;
        sock.on('message', (m) => got.push(m.toString()));
        await new Promise<void>((r) => sock.bind(0, addr, () => r()));
        ports.push(sock.address().port);
      }
      const mac = readFileSync(join(bridgeDir, 'address'), 'utf8').trim();
      inA(['ip', 'route', 'add', '198.18.77.1/32', 'dev', 'veth0']);
      // ARP: b answers for its address, the host never for one of its own.
      const arping = (to: string) =>
        spawnSync('nsenter', [`--net=/proc/${a.pid}/ns/net`, '--', 'busybox', 'arping', '-c', '2', '-w', '2', '-I', 'veth0', to], { encoding: 'utf8' });
      const toB = arping(`${NET}.2`);
      assert.equal(toB.status, 0, `b answers ARP: ${toB.stdout}${toB.stderr}`);
      const toHost = arping('198.18.77.1');
      assert.notEqual(toHost.status, 0, `the host answered ARP through the bridge: ${toHost.stdout}`);
      inA(['ip', 'neigh', 'replace', '198.18.77.1', 'lladdr', mac, 'dev', 'veth0']);
      inA(['ip', '-6', 'route', 'add', 'fd00:6e6d::1/128', 'dev', 'veth0']);
      inA(['ip', '-6', 'neigh', 'replace', 'fd00:6e6d::1', 'lladdr', mac, 'dev', 'veth0']);
      const send = `const d=require('node:dgram');for(const [t,a,p] of [['udp4','198.18.77.1',${ports[0]}],['udp6','fd00:6e6d::1',${ports[1]}]]){const s=d.createSocket(t);let n=5;const go=()=>s.send('from-container',p,a,()=>{if(--n>0)setTimeout(go,100);else s.close();});go();}`;
      inA([process.execPath, '-e', send]);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(got, [], 'the host took datagrams from a container through the bridge');
    } finally {
      for (const s of sockets) s.close();
      execFileSync('ip', ['link', 'del', addrs]);
      inA(['sh', '-c', 'ip route del 198.18.77.1/32; ip -6 route del fd00:6e6d::1/128; true']);
    }
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
    // Its bridge was deleted by the flush before and made again: the host is off it all the same.
    const bridge = realpathSync(`/sys/class/net/${all[0]!.nics[0]!.tap}/master`).split('/').pop()!;
    assert.equal(readFileSync(`/proc/sys/net/ipv6/conf/${bridge}/disable_ipv6`, 'utf8').trim(), '1');
    assert.equal(readFileSync(`/proc/sys/net/ipv4/conf/${bridge}/rp_filter`, 'utf8').trim(), '1');
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
    assert.deepEqual(links(), []);
    await assertNoLeaks(before200);
  });
});
