// Host taps and dnsmasq against the real kernel and Debian's real dnsmasq and dhclient: the host
// on a container VLAN, DHCP leases shown by vm info, bad input, a daemon crash, nuke.
// Addresses are the test's own (10.231.x) and live only on links the test creates.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { links } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { alive, gone, until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'dnsmasq', 'dhclient');

const VLAN = '31';
const NET = '10.231.0';

/**
 * A container init that gets a lease on veth0 and stays. `set` puts the address on veth0 (udhcpc's
 * script; needs NET_ADMIN); otherwise the lease exists only in dnsmasq's records.
 */
const DHCP_INIT = `#!/bin/sh
s=/bin/true
[ "$1" = set ] && s=/lab-udhcpc
# As a real client, ask again until a lease arrives (dnsmasq pauses up to 3 s to ping an address
# before offering it, longer than a single udhcpc attempt may wait).
until udhcpc -i veth0 -q -n -s $s -t 5 -T 2 >>/tmp/udhcpc.log 2>&1; do sleep 1; done
exec sleep 100000
`;
const UDHCPC_SCRIPT =
  '#!/bin/sh\necho "$@ $ip $subnet" >>/tmp/udhcpc.log\n[ "$1" = bound ] && ip addr add "$ip/$subnet" dev "$interface" >>/tmp/udhcpc.log 2>&1\nexit 0\n';

function addrs(dev: string): string[] {
  const out = JSON.parse(execFileSync('ip', ['-j', '-4', 'addr', 'show', 'dev', dev], { encoding: 'utf8' })) as {
    addr_info: { local: string; prefixlen: number }[];
  }[];
  return out.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
}

function pings(ip: string): boolean {
  try {
    execFileSync('/bin/busybox', ['ping', '-c1', '-W1', ip], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pidsOf(name: string): number[] {
  try {
    return execFileSync('ps', ['-C', name, '-o', 'pid=,stat='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([pid, stat]) => pid && stat && !stat.startsWith('Z'))
      .map(([pid]) => Number(pid));
  } catch {
    return []; // ps exits 1 when none runs
  }
}

describe('tap and dnsmasq on real links', { skip }, () => {
  const suite = useContainerSuite();
  /** The host's own dnsmasq and dhclient processes, if it runs any: not ours. */
  const host = { dnsmasq: [] as number[], dhclient: [] as number[] };
  const ours = (name: 'dnsmasq' | 'dhclient') => pidsOf(name).filter((p) => !host[name].includes(p));

  before(async () => {
    host.dnsmasq = pidsOf('dnsmasq');
    host.dhclient = pidsOf('dhclient');
    for (const [name, text] of [
      ['lab-init', DHCP_INIT],
      ['lab-udhcpc', UDHCPC_SCRIPT],
    ] as const) {
      writeFileSync(join(suite.fs.dir, name), text);
      chmodSync(join(suite.fs.dir, name), 0o755);
    }
  });

  test("tap create gives the host an address on the VLAN; the same name twice is refused in minimega's words", async () => {
    assert.equal(await suite.d.ok(`tap create ${VLAN} ip ${NET}.1/24 lab_t0`), 'lab_t0');
    assert.deepEqual(addrs('lab_t0'), [`${NET}.1/24`]);
    assert.equal(await suite.d.ok('tap'), `bridge      | tap    | vlan\nmega_bridge | lab_t0 | ${VLAN}`);
    const before = links();
    const r = await suite.d.exec(`tap create ${VLAN} ip ${NET}.1/24 lab_t0`);
    assert.deepEqual(r.errors, ['tap already on bridge'], "minimega's words");
    assert.deepEqual(links(), before, 'nothing was created');
  });

  test('dnsmasq start serves the tap; bad ranges, addresses, VLANs and names are refused naming the value', async () => {
    await suite.d.ok(`dnsmasq start ${NET}.1 ${NET}.10 ${NET}.50`);
    const [row] = await suite.d.client.call('dnsmasq.list');
    assert.ok(row && alive(row.pid), 'dnsmasq runs');
    assert.match(readFileSync(`/proc/${row.pid}/cmdline`, 'utf8'), /--interface=lab_t0\0/);
    const before = { links: links(), dnsmasq: ours('dnsmasq') };
    const bad: [string, RegExp][] = [
      [`dnsmasq start ${NET}.1 10.232.0.10 ${NET}.50`, /low dhcp range 10\.232\.0\.10 is outside 10\.231\.0\.0\/24/],
      [`dnsmasq start ${NET}.1 ${NET}.10 ${NET}.255`, /high dhcp range 10\.231\.0\.255 is the network or broadcast address/],
      [`dnsmasq start ${NET}.9 ${NET}.10 ${NET}.50`, /no host tap holds 10\.231\.0\.9/],
      [`dnsmasq start ${NET}.1 ${NET}.10 ${NET}.50`, /dnsmasq 0 already serves lab_t0/],
      [`dnsmasq start 10.231.0.300 ${NET}.10 ${NET}.50`, /10\.231\.0\.300/],
      ['dnsmasq kill 9', /invalid dnsmasq id: 9/],
      [`tap create ${VLAN} ip 10.231.1.999/24 lab_bad`, /invalid ip address `10\.231\.1\.999\/24`/],
      ['tap create 5000 name lab_bad', /invalid VLAN 5000/],
      ['tap create -1 name lab_bad', /invalid VLAN alias `-1`/],
      ['tap create 5 name all', /`all` is a reserved word/],
      ['tap create 5 name this_name_is_too_long', /`this_name_is_too_long`/],
      ['tap delete nosuch', /^unknown tap: nosuch$/],
    ];
    for (const [line, re] of bad) {
      const r = await suite.d.exec(line);
      assert.match(r.errors.join('\n'), re, line);
    }
    assert.deepEqual(links(), before.links, 'no link was made');
    assert.deepEqual(ours('dnsmasq'), before.dnsmasq, 'no dnsmasq was started');
  });

  test('containers get leases by DHCP; vm info ip shows them (matched by MAC) and the host reaches them', async () => {
    await suite.d.ok(`vm config net ${VLAN}`);
    await suite.d.ok('vm config caps NET_ADMIN');
    await suite.d.ok('vm config init /lab-init set');
    await suite.d.ok('vm launch container lab1');
    await suite.d.ok('vm config init /lab-init');
    await suite.d.ok('vm launch container lab2');
    await suite.d.ok('vm start lab[1-2]');
    const [server] = await suite.d.client.call('dnsmasq.list');
    const leases = join(server!.path, 'dnsmasq.leases');
    const vms = await until('two leases in vm info', async () => {
      const list = (await suite.d.client.call('vm.info')).filter((c) => c.name.startsWith('lab'));
      return list.every((c) => c.nics[0]?.ip.startsWith(`${NET}.`)) && list;
    });
    const leased = readFileSync(leases, 'utf8');
    for (const c of vms) assert.match(leased, new RegExp(`${c.nics[0]!.mac} ${c.nics[0]!.ip.replace(/\./g, '\\.')} `), `lease of ${c.name}`);
    // lab1 holds its address (read from its netns); lab2's comes from the lease alone.
    const lab1 = vms.find((c) => c.name === 'lab1')!;
    // vm info may show lab1's lease a moment before its DHCP script has put the address on veth0.
    const ip = lab1.nics[0]!.ip;
    const lab1Log = async () => (await suite.d.exec('vm exec lab1 cat /tmp/udhcpc.log')).output + readFileSync(join(server!.path, 'dnsmasq.log'), 'utf8');
    let log = '';
    await until(
      () => `lab1 to hold ${ip}: ${log}`,
      async () => {
        log = await lab1Log();
        return (await suite.d.exec('vm exec lab1 ip -4 addr show dev veth0')).output.includes(`${ip}/`);
      },
    );
    await until(
      () => `the host to reach lab1 at ${ip}: ${execFileSync('sh', ['-c', `ip route get ${ip}; ip neigh show ${ip}; ip -br addr`], { encoding: 'utf8' })}`,
      () => pings(ip),
    );
    await suite.d.ok('vm kill lab[1-2]');
    await suite.d.ok('vm flush');
    await suite.d.ok('clear vm config');
  });

  test('dnsmasq configure: a static lease and a DNS name take effect in the running server', async () => {
    // Outside the dynamic range (.10-.50): dnsmasq does not hand out a configured address while an earlier
    // test's container still holds it as a dynamic lease (those outlive the container, as with minimega).
    await suite.d.ok('dnsmasq configure 0 ip 02:00:00:00:31:05 10.231.0.60');
    await suite.d.ok('dnsmasq configure 0 dns 10.231.0.99 web.lab');
    assert.equal(await suite.d.ok('dnsmasq configure 0 dns'), 'id   | ip          | hostname\n0    | 10.231.0.99 | web.lab');
    await suite.d.ok(`vm config filesystem ${suite.fs.dir}`);
    await suite.d.ok(`vm config net ${VLAN},02:00:00:00:31:05`);
    await suite.d.ok('vm config init /lab-init set');
    await suite.d.ok('vm launch container lab3');
    await suite.d.ok('vm start lab3');
    // udhcpc asks again until a lease arrives (DHCP_INIT); a server reloading its hosts meanwhile can
    // cost a round or two, so the wait is generous, and a timeout shows what the client saw.
    let log = '';
    await until(
      () => `lab3 to get its static lease; its udhcpc log: ${log}`,
      async () => {
        if ((await suite.d.exec('vm exec lab3 ip -4 addr show dev veth0')).output.includes('10.231.0.60/24')) return true;
        const [server] = await suite.d.client.call('dnsmasq.list');
        const dnsmasqLog = server
          ? execFileSync('sh', ['-c', `tail -n 30 ${server.path}/dnsmasq.log; ls -la ${server.path}/*/; cat ${server.path}/*/*`], { encoding: 'utf8' })
          : '';
        log = `${(await suite.d.exec('vm exec lab3 cat /tmp/udhcpc.log')).output}\n--- dnsmasq:\n${dnsmasqLog}`;
        return false;
      },
      45_000,
    );
    let last = '';
    const answer = await until(
      () => `web.lab to resolve through dnsmasq: ${last}`,
      async () => {
        const r = await suite.d.exec(`vm exec lab3 nslookup -type=a web.lab ${NET}.1`);
        last = JSON.stringify(r);
        return r.output.includes('10.231.0.99') && r.output;
      },
    );
    assert.match(answer, /web\.lab/);
    await suite.d.ok('vm kill lab3');
    await suite.d.ok('vm flush');
    await suite.d.ok('clear vm config');
  });

  test('tap create … dhcp leases an address from the VLAN without touching the host routes or resolver', async () => {
    const routes = execFileSync('ip', ['route', 'show', 'default'], { encoding: 'utf8' });
    const resolv = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';
    assert.equal(await suite.d.ok(`tap create ${VLAN} dhcp lab_t1`), 'lab_t1');
    const [a] = addrs('lab_t1');
    assert.match(a ?? '', /^10\.231\.0\.([1-4]\d|50|\d)\/24$/);
    assert.equal(execFileSync('ip', ['route', 'show', 'default'], { encoding: 'utf8' }), routes);
    assert.equal(existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '', resolv);
    assert.equal(ours('dhclient').length, 1);
  });

  test('a daemon crash keeps taps, dnsmasq and dhclient; a dnsmasq that died meanwhile is reported and removed', async () => {
    const [server] = await suite.d.client.call('dnsmasq.list');
    const dhclient = ours('dhclient')[0]!;
    await suite.d.crash();
    await suite.d.restart();
    assert.deepEqual(
      (await suite.d.client.call('dnsmasq.list')).map((s) => s.pid),
      [server!.pid],
    );
    assert.deepEqual(
      (await suite.d.client.call('tap.list')).map((t) => t.name),
      ['lab_t0', 'lab_t1'],
    );
    assert.ok(alive(dhclient));
    await suite.d.crash();
    process.kill(server!.pid, 'SIGKILL');
    await gone(server!.pid);
    await suite.d.restart();
    assert.deepEqual(await suite.d.client.call('dnsmasq.list'), []);
    assert.ok(!existsSync(server!.path), 'its directory is gone');
  });

  test('nuke removes every tap, dnsmasq and dhclient of the base', async () => {
    await suite.d.ok(`dnsmasq start ${NET}.1 ${NET}.10 ${NET}.50`);
    await suite.d.client.call('engine.nuke');
    assert.deepEqual(await suite.d.client.call('tap.list'), []);
    assert.deepEqual(await suite.d.client.call('dnsmasq.list'), []);
    assert.deepEqual(ours('dnsmasq'), []);
    assert.deepEqual(ours('dhclient'), []);
    assert.ok(!links().some((l) => l.startsWith('lab_t') || l.startsWith('nmp')), 'no tap or port link left');
    assert.ok(!existsSync(join(suite.d.base, 'taps')) && !existsSync(join(suite.d.base, 'dnsmasq')));
  });
});
