// Issue 16's acceptance on one machine: three hosts (network, mount and UTS namespaces on a veth
// underlay), a three-member etcd cluster and a daemon per host, all started and stopped here.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { etcdctl, PEER_PORT, startCluster, type TestCluster } from '../helpers/cluster.js';
import { BIN } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { alive, until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox', 'etcd');

/** `host,name,state…` rows of an annotated CSV table (header dropped). */
function csvRows(out: string): string[][] {
  return out
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((l) => l.split(','));
}

describe('three hosts on etcd', { skip }, () => {
  let c: TestCluster;
  let pre: HostSnapshot;
  let names: string[];
  /** Host i's VXLAN devices (`ip -o link`), and the replication entries of its VLAN 101 tunnel. */
  const tunnels = (i: number) => execFileSync('ip', ['-n', c.hosts[i]!.netns, '-o', 'link', 'show', 'type', 'vxlan'], { encoding: 'utf8' });
  const replicas = (i: number) => execFileSync('bridge', ['-n', c.hosts[i]!.netns, 'fdb', 'show', 'dev', 'nmvx101'], { encoding: 'utf8' });

  before(async () => {
    pre = snapshot();
    c = await startCluster({ n: 3 });
    names = c.hosts.map((h) => h.name);
  });

  after(async () => {
    await c?.dispose();
    await assertNoLeaks(pre);
  });

  test('every daemon registers and sees the three hosts up with their capacity, one of them the scheduler', async () => {
    for (let i = 0; i < 3; i++) {
      const hosts = await until('three hosts up', async () => {
        const list = await c.hosts[i]!.client!.call('cluster.hosts');
        return list.length === 3 && list.every((h) => h.up) && list.some((h) => h.leader) ? list : false;
      });
      assert.deepEqual(
        hosts.map((h) => h.name),
        names,
      );
      assert.ok(
        hosts.every((h) => h.cpus > 0 && h.memoryMB > 0),
        'capacity reported',
      );
    }
  });

  test('vm launch container 30 in a namespace of the three hosts places 10 on each; vm info on any daemon lists all 30 with their host', async () => {
    assert.equal(await c.ok(0, 'namespace lab ns hosts'), `${names[0]}: ${names.join(',')}`);
    await c.ok(0, 'namespace lab vm launch container 30');
    for (let i = 0; i < 3; i++) {
      const rows = csvRows(await c.ok(i, 'namespace lab .csv true .columns name,state vm info'));
      assert.equal(rows.length, 30, `daemon ${i + 1} lists 30`);
      assert.deepEqual(new Set(rows.map((r) => r[1])), new Set(Array.from({ length: 30 }, (_, k) => `vm-${k}`)));
      for (const h of names) assert.equal(rows.filter((r) => r[0] === h).length, 10, `10 on ${h}`);
      assert.ok(rows.every((r) => r[2] === 'BUILDING'));
    }
    // mesh send: that host's answer only (it does not fan out again there).
    const theirs = csvRows(await c.ok(0, `namespace lab .csv true .columns name mesh send ${names[1]} vm info`));
    assert.equal(theirs.length, 10);
    assert.ok(theirs.every((r) => r[0] === names[1]));
    // A name already used anywhere in the namespace is refused.
    const dup = await c.exec(1, 'namespace lab vm launch container vm-7');
    assert.deepEqual(dup.errors, ['vm already exists with name `vm-7`']);
  });

  test('vm start all and cc exec hostname from one daemon reach all 30 containers', async () => {
    await c.ok(1, 'namespace lab vm start all');
    const states = csvRows(await c.ok(2, 'namespace lab .csv true .columns state vm info'));
    assert.ok(states.length === 30 && states.every((r) => r[1] === 'RUNNING'), 'all 30 running');
    await c.ok(0, 'namespace lab cc exec hostname');
    const answered = await until(
      '30 cc responses',
      async () => {
        const out = await c.ok(0, 'namespace lab cc responses all');
        const got = new Set(out.match(/^vm-\d+$/gm) ?? []);
        return got.size === 30 ? got : false;
      },
      60_000,
    );
    assert.equal(answered.size, 30);
  });

  test('nanomega console on one host attaches to a container of another host through its daemon', async () => {
    const theirs = csvRows(await c.ok(0, 'namespace lab .csv true .columns name,state vm info')).filter((r) => r[0] === names[2] && r[2] === 'RUNNING');
    const name = theirs[0]![1]!;
    const p = spawn(process.execPath, [BIN, 'console', '--base', c.hosts[0]!.base, `lab//${name}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => p.once('exit', r));
    try {
      p.stdin.write('echo remote-$((6*7)) $(hostname)\n');
      await until(`${name}'s answer through ${names[0]}`, () => out.includes(`remote-42 ${name}`));
      p.stdin.write(Buffer.from([0x1d])); // Ctrl-] detaches
      assert.equal(await exited, 0);
    } finally {
      p.kill();
    }
    // the container goes on
    const after = csvRows(await c.ok(1, `namespace lab .csv true .columns state .filter name=${name} vm info`));
    assert.equal(after[0]![1], 'RUNNING');
  });

  test('vm kill of a name on another host finds it there; a name on no host is not found', async () => {
    await c.ok(0, 'namespace lab vm kill vm-1');
    const rows = csvRows(await c.ok(2, 'namespace lab .csv true .columns state .filter name=vm-1 vm info'));
    assert.deepEqual(
      rows.map((r) => r[1]),
      ['QUIT'],
    );
    assert.deepEqual((await c.exec(0, 'namespace lab vm kill nosuchvm')).errors, ['vm not found: nosuchvm']);
  });

  test('containers on VLAN 101 on different hosts ping each other over VXLAN (1400-byte pings: MTU handled); VLAN 102 is not reached', async () => {
    const launch = async (name: string, host: number, vlan: number | string, ip: string) => {
      await c.ok(0, `namespace net vm config schedule ${names[host]}`);
      await c.ok(0, `namespace net vm config net ${vlan}`);
      await c.ok(0, `namespace net vm launch container ${name}`);
      await c.ok(0, `namespace net vm start ${name}`);
      await c.ok(0, `namespace net vm exec ${name} ip addr add ${ip}/24 dev veth0`);
    };
    await launch('a1', 0, 101, '10.60.0.1');
    await launch('a2', 1, 101, '10.60.0.2');
    await launch('a3', 2, 101, '10.60.0.3');
    await launch('b3', 2, 102, '10.60.0.13');
    // Each host makes its first NIC's MAC: they must differ across hosts, or the segment cannot tell them apart.
    const macs = csvRows(await c.ok(0, 'namespace net .csv true .columns name,mac vm info'));
    assert.equal(new Set(macs.map((r) => r[2])).size, 4, `distinct MACs: ${macs.join(' ')}`);
    /** What each host's tunnels are, for a failure to say why a ping did not cross. */
    const tunnelState = () => {
      const read = (f: () => string) => {
        try {
          return f().trim();
        } catch (e) {
          return (e as Error).message.trim(); // what `ip`/`bridge` said: no such device, say
        }
      };
      return c.hosts.map((h, i) => `${h.name} (${h.address}): ${read(() => tunnels(i))}\n${read(() => replicas(i))}`).join('\n');
    };
    for (const dst of ['10.60.0.2', '10.60.0.3']) {
      await until(
        () => `a1 pings ${dst}; MACs ${macs.join(' ')}; tunnels:\n${tunnelState()}`,
        async () => (await c.exec(0, `namespace net vm exec a1 busybox ping -c 1 -W 1 -s 1400 ${dst}`)).errors.length === 0,
        30_000,
      );
    }
    const isolated = await c.exec(0, 'namespace net vm exec a1 busybox ping -c 2 -W 1 10.60.0.13');
    assert.equal(isolated.errors.length, 1, 'VLAN 102 unreachable from VLAN 101');
    assert.match(tunnels(0), /nmvx101/);
    assert.doesNotMatch(tunnels(0), /nmvx102/, 'no tunnel for a VLAN with no member on this host');
    // Another bridge's VLAN crosses hosts in a tunnel of its own (its own VNI: not VLAN 101's segment).
    await launch('x1', 0, 'nmlab,101', '10.61.0.1');
    await launch('x2', 1, 'nmlab,101', '10.61.0.2');
    await until('x1 pings x2 on nmlab', async () => (await c.exec(0, 'namespace net vm exec x1 busybox ping -c 1 -W 1 10.61.0.2')).errors.length === 0, 30_000);
    assert.match(tunnels(0), /nmvx101\.[0-9a-f]+/);
    await c.ok(0, 'namespace net vm exec x1 ip addr add 10.60.0.21/24 dev veth0');
    assert.equal((await c.exec(0, 'namespace net vm exec x1 busybox ping -c 2 -W 1 10.60.0.2')).errors.length, 1, 'mega_bridge VLAN 101 is another segment');
  });

  test('kill -9 of a daemon: its containers keep running, the host is shown down within 10 s with its containers UNKNOWN, and it rejoins with the same containers', async () => {
    const before = csvRows(await c.ok(2, 'namespace lab .csv true .columns name,pid vm info')).filter((r) => r[0] === names[2]);
    assert.equal(before.length, 10);
    const tunnel = () => execFileSync('ip', ['-n', c.hosts[2]!.netns, '-o', 'link', 'show', 'nmvx101'], { encoding: 'utf8' }).split(':')[0];
    const tunnelBefore = tunnel();
    await c.crashDaemon(2);
    let restarted = false;
    try {
      await until(
        `${names[2]} shown down`,
        async () => (await c.hosts[0]!.client!.call('cluster.hosts')).find((h) => h.name === names[2])?.up === false,
        10_000,
      );
      for (const r of before) assert.ok(alive(Number(r[2])), `${r[1]} (pid ${r[2]}) still runs`);
      const seen = await c.exec(0, 'namespace lab .csv true .columns name,state vm info');
      const theirs = csvRows(seen.output).filter((r) => r[0] === names[2]);
      assert.equal(theirs.length, 10);
      assert.ok(
        theirs.every((r) => r[2] === 'UNKNOWN'),
        'shown UNKNOWN',
      );
      assert.ok(seen.errors.some((e) => e.includes(names[2]!)));
      // The data plane does not need the daemon: VLAN 101 still reaches a3 on the host whose daemon is gone.
      assert.deepEqual((await c.exec(0, 'namespace net vm exec a1 busybox ping -c 1 -W 2 10.60.0.3')).errors, []);
      // Launches meanwhile go to the hosts that are up.
      await c.ok(0, 'namespace lab vm launch container late[1-4]');
      const late = csvRows((await c.exec(1, 'namespace lab .csv true .columns name .filter name~late vm info')).output);
      assert.equal(late.length, 4);
      assert.ok(late.every((r) => r[0] !== names[2]));

      await c.startDaemon(2);
      restarted = true;
      await until(`${names[2]} up again`, async () => (await c.hosts[0]!.client!.call('cluster.hosts')).every((h) => h.up));
      const afterRows = csvRows(await c.ok(0, 'namespace lab .csv true .columns name,pid,state vm info')).filter((r) => r[0] === names[2]);
      assert.deepEqual(afterRows.map((r) => [r[1], r[2]]).sort(), before.map((r) => [r[1], r[2]]).sort(), 'the same containers, the same pids');
      assert.ok(afterRows.every((r) => r[3] === 'RUNNING'));
      // The restarted daemon kept the VXLAN device its predecessor made (same ifindex), and it still carries VLAN 101.
      assert.equal(tunnel(), tunnelBefore);
      assert.deepEqual((await c.exec(0, 'namespace net vm exec a1 busybox ping -c 1 -W 2 10.60.0.3')).errors, []);
    } finally {
      // A failure above must not leave the host without a daemon for the tests after this one.
      if (!restarted) await c.startDaemon(2);
    }
  });

  test('a placement order that reaches a host again (after a crash) launches only what is missing: nothing starts twice', async () => {
    const order = {
      id: 'replay',
      namespace: 'lab',
      vlans: [],
      groups: [{ names: ['vm-2', 'again1'], config: await c.hosts[2]!.client!.call('config.get', 'lab') }],
    };
    const host = names[2]!;
    const key = `/nanomega/placements/${host}/0000000000-replay`;
    const put = spawnSync(etcdctl(c, 0, ['put', key])[0]!, [...etcdctl(c, 0, ['put', key]).slice(1)], { input: JSON.stringify(order), encoding: 'utf8' });
    assert.equal(put.status, 0, put.stderr);
    await until('the order answered', () => {
      const left = execFileSync(
        etcdctl(c, 0, ['get', '--prefix', '--keys-only', `/nanomega/placements/${host}/`])[0]!,
        etcdctl(c, 0, ['get', '--prefix', '--keys-only', `/nanomega/placements/${host}/`]).slice(1),
        { encoding: 'utf8' },
      );
      return !left.includes('replay');
    });
    const rows = csvRows(await c.ok(2, 'namespace lab .csv true .columns name vm info')).filter((r) => r[1] === 'vm-2' || r[1] === 'again1');
    assert.deepEqual(rows.map((r) => r.join(',')).sort(), [`${host},again1`, `${host},vm-2`]);
  });

  test('stopping the etcd leader: the cluster keeps working', async () => {
    const status = JSON.parse(
      execFileSync(etcdctl(c, 0, ['endpoint', 'status', '-w', 'json'])[0]!, etcdctl(c, 0, ['endpoint', 'status', '-w', 'json']).slice(1), { encoding: 'utf8' }),
    ) as {
      Endpoint: string;
      Status: { header: { member_id: number | string }; leader: number | string };
    }[];
    const leader = status.findIndex((s) => String(s.Status.leader) === String(s.Status.header.member_id));
    assert.ok(leader >= 0, 'an etcd leader');
    await c.stopEtcd(leader);
    try {
      await until(
        'a launch after the etcd leader stopped',
        async () => (await c.exec(0, 'namespace lab vm launch container after[1-3]')).errors.length === 0 || undefined,
        30_000,
      ).catch(async () => {
        throw new Error(`launch failed: ${(await c.exec(0, 'namespace lab vm launch container after[1-3]')).errors.join('; ')}`);
      });
      for (let i = 0; i < 3; i++) {
        const rows = csvRows(await c.ok(i, 'namespace lab .csv true .columns name .filter name~after vm info'));
        assert.equal(rows.length, 3, `daemon ${i + 1} sees the 3 new containers`);
      }
    } finally {
      c.startEtcd(leader);
    }
  });

  test('nothing listens unauthenticated: the daemon API and etcd refuse connections without the cluster certificates', () => {
    const inUnderlay = (argv: string[]) => ['nsenter', `--net=/run/netns/${c.underlay}`, '--', ...argv];
    const h = c.hosts[0]!;
    const sClient = (withCert: boolean) =>
      spawnSync(
        inUnderlay([
          'openssl',
          's_client',
          '-connect',
          `${h.address}:${PEER_PORT}`,
          '-CAfile',
          join(c.certs, 'ca.crt'),
          '-verify_return_error',
          '-brief',
          '-ign_eof',
          ...(withCert ? ['-cert', join(c.certs, `${h.name}.crt`), '-key', join(c.certs, `${h.name}.key`)] : []),
        ])[0]!,
        inUnderlay([
          'openssl',
          's_client',
          '-connect',
          `${h.address}:${PEER_PORT}`,
          '-CAfile',
          join(c.certs, 'ca.crt'),
          '-verify_return_error',
          '-brief',
          '-ign_eof',
          ...(withCert ? ['-cert', join(c.certs, `${h.name}.crt`), '-key', join(c.certs, `${h.name}.key`)] : []),
        ]).slice(1),
        { input: '{"type":"call","id":1,"method":"cluster.hosts","args":[]}\n', encoding: 'utf8', timeout: 10_000 },
      );
    const refused = sClient(false);
    assert.doesNotMatch(refused.stdout, /"ok":true/, 'no answer without a client certificate');
    const allowed = sClient(true);
    assert.match(allowed.stdout, /"ok":true/, 'the same call with the cluster certificate is answered');
    const noCerts = spawnSync(
      etcdctl(c, 0, ['get', '/nanomega/hosts/', '--prefix'], false)[0]!,
      etcdctl(c, 0, ['get', '/nanomega/hosts/', '--prefix'], false).slice(1),
      { encoding: 'utf8' },
    );
    assert.notEqual(noCerts.status, 0, 'etcd refuses a client without certificates');
    const withCerts = spawnSync(
      etcdctl(c, 0, ['get', '/nanomega/hosts/', '--prefix', '--keys-only'])[0]!,
      etcdctl(c, 0, ['get', '/nanomega/hosts/', '--prefix', '--keys-only']).slice(1),
      { encoding: 'utf8' },
    );
    assert.equal(withCerts.status, 0, withCerts.stderr);
    assert.match(withCerts.stdout, new RegExp(names[0]!));
  });

  test('the last container of VLAN 101 on a host goes: that host removes its tunnel, the others stop replicating to it', async () => {
    assert.match(tunnels(2), /nmvx101/);
    assert.match(replicas(0), new RegExp(`00:00:00:00:00:00 dst ${c.hosts[2]!.address.replace(/\./g, '\\.')}\\b`));
    await c.ok(0, 'namespace net vm kill a3');
    await until(`${names[2]}'s nmvx101 removed`, () => !tunnels(2).includes('nmvx101'));
    // The head-end replication entry (all-zeros MAC) goes; MACs learned from h3 age out by themselves.
    await until(`${names[0]} no longer replicates to ${names[2]}`, () => !replicas(0).includes(`00:00:00:00:00:00 dst ${c.hosts[2]!.address} `));
    assert.match(tunnels(0), /nmvx101/, 'a1 and a2 still share VLAN 101');
    assert.deepEqual((await c.exec(0, 'namespace net vm exec a1 busybox ping -c 1 -W 2 10.60.0.2')).errors, []);
  });
});
