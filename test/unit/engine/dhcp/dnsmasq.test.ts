import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsmasqServers } from '../../../../engine/dhcp/dnsmasq.js';
import { EngineError } from '../../../../engine/errors.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { netHostOf } from '../../../../engine/net/net-host.js';
import { Network } from '../../../../engine/net/network.js';
import { HostTaps } from '../../../../engine/net/taps.js';

/** A host whose dnsmasq "starts" (pid file, /proc entries) and whose kill makes the process go away. */
class DaemonHost extends FakeHost {
  nextPid = 4000;
  addrs = [
    { ifname: 'tap0', addr_info: [{ local: '10.0.0.1', prefixlen: 24 }] },
    { ifname: 'eth0', addr_info: [{ local: '192.0.2.2', prefixlen: 24 }] },
  ];
  constructor() {
    super();
    this.runResult = (argv) => {
      const cmd = argv.join(' ');
      if (cmd === 'ip -j link show') return { code: 0, stdout: '[]', stderr: '' };
      if (cmd === 'ip -j -4 addr show') return { code: 0, stdout: JSON.stringify(this.addrs), stderr: '' };
      if (argv[0] === 'dnsmasq') {
        const pidFile = argv.find((a) => a.startsWith('--pid-file='))!.slice('--pid-file='.length);
        const pid = this.nextPid++;
        this.files.set(pidFile, `${pid}\n`);
        this.files.set(`/proc/${pid}/stat`, `${pid} (dnsmasq) S 1 1`);
        this.files.set(`/proc/${pid}/cmdline`, argv.join('\0'));
        return { code: 0, stdout: '', stderr: '' };
      }
      return { code: 0, stdout: '', stderr: '' };
    };
  }
  /** Like dnsmasq's log: a line `read PATH` once it read a file of its watched directories. */
  echoReads = false;
  override async createFile(path: string, data: string, mode?: number): Promise<void> {
    await super.createFile(path, data, mode);
    const m = /^(\/b\/dnsmasq\/\d+)\/(hostdir|dhcpdir|dhcpoptsdir)\//.exec(path);
    if (this.echoReads && m) await this.appendFile(`${m[1]}/dnsmasq.log`, `dnsmasq: read ${path}\n`);
  }
  override kill(pid: number, signal: NodeJS.Signals | number): boolean {
    super.kill(pid, signal);
    if (signal === 'SIGHUP') return true; // dnsmasq reloads and goes on
    this.files.delete(`/proc/${pid}/stat`);
    this.files.delete(`/proc/${pid}/cmdline`);
    return true;
  }
}

async function setup(readConfirmMs = 0) {
  const host = new DaemonHost();
  const network = new Network({ stateDir: '/b', host: netHostOf(host), linuxMode: 'bridge-per-vlan' });
  const taps = new HostTaps(host, network, '/b');
  await taps.create({ vlan: '5', ip: '10.0.0.1/24', name: 'tap0' });
  const logs: string[] = [];
  return { host, taps, servers: new DnsmasqServers(host, taps, '/b', (m) => logs.push(m), readConfirmMs), logs };
}

const dnsmasqRuns = (host: FakeHost) => host.calls.filter((c) => c.op === 'run' && c.argv[0] === 'dnsmasq');

test('start binds dnsmasq to the tap holding LISTEN and lists it with its pid', async () => {
  const { host, servers } = await setup();
  const info = await servers.start('10.0.0.1', '10.0.0.10', '10.0.0.200');
  assert.deepEqual(info, { id: 0, address: '10.0.0.1', min: '10.0.0.10', max: '10.0.0.200', path: '/b/dnsmasq/0', pid: 4000, interface: 'tap0', config: '' });
  const argv = (dnsmasqRuns(host)[0] as { argv: readonly string[] }).argv;
  assert.ok(argv.includes('--interface=tap0') && argv.includes('--user=root') && argv.includes('--dhcp-lease-max=4287'));
  assert.deepEqual(
    (await servers.list()).map((s) => [s.id, s.pid]),
    [[0, 4000]],
  );
});

test('bad ranges, addresses and listeners are refused naming the value, and nothing starts', async () => {
  const { host, servers } = await setup();
  const cases: [string[], RegExp][] = [
    [['10.0.0.1', '10.9.0.10', '10.0.0.20'], /low dhcp range 10\.9\.0\.10 is outside 10\.0\.0\.0\/24, the subnet of 10\.0\.0\.1 on tap0/],
    [['10.0.0.1', '10.0.0.10', '10.0.1.20'], /high dhcp range 10\.0\.1\.20 is outside/],
    [['10.0.0.1', '10.0.0.0', '10.0.0.20'], /10\.0\.0\.0 is the network or broadcast address of 10\.0\.0\.0\/24/],
    [['10.0.0.1', '10.0.0.30', '10.0.0.20'], /low dhcp range 10\.0\.0\.30 is above high dhcp range 10\.0\.0\.20/],
    [['10.0.0.1', 'ten', '10.0.0.20'], /invalid low dhcp range `ten`/],
    [['10.0.0.9', '10.0.0.10', '10.0.0.20'], /no host tap holds 10\.0\.0\.9/],
    [['192.0.2.2', '192.0.2.10', '192.0.2.20'], /192\.0\.2\.2 is on eth0, which is not a host tap/],
    [['', '', '', 'relative.conf'], /`relative.conf` must be an absolute host path/],
    [['', '', '', '/no/such.conf'], /`\/no\/such.conf` does not exist/],
  ];
  for (const [args, re] of cases) {
    await assert.rejects(servers.start(args[0]!, args[1]!, args[2]!, args[3]), (e: EngineError) => e.code === 'E_CONFIG' && re.test(e.message), args.join(' '));
  }
  assert.equal(dnsmasqRuns(host).length, 0);
  assert.ok(!(await host.exists('/b/dnsmasq')), 'no directory was left');
});

test('one server per tap, until it dies', async () => {
  const { host, servers, logs } = await setup();
  await servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20');
  await assert.rejects(servers.start('10.0.0.1', '10.0.0.30', '10.0.0.40'), /dnsmasq 0 already serves tap0/);
  host.files.delete('/proc/4000/stat'); // killed from outside
  assert.equal((await servers.start('10.0.0.1', '10.0.0.30', '10.0.0.40')).id, 1);
  assert.match(logs.join('\n'), /dnsmasq 0 exited on its own/);
});

test('a start dnsmasq refuses removes everything it made and reports dnsmasq’s reason', async () => {
  const { host, servers } = await setup();
  const ok = host.runResult;
  host.runResult = (argv) =>
    argv[0] === 'dnsmasq' ? { code: 2, stdout: '', stderr: '\ndnsmasq: failed to create listening socket for 10.0.0.1: Address already in use\n' } : ok(argv);
  await assert.rejects(
    servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20'),
    /dnsmasq start: dnsmasq: failed to create listening socket for 10\.0\.0\.1: Address already in use/,
  );
  assert.ok(!(await host.exists('/b/dnsmasq')));
  assert.deepEqual(await servers.list(), []);
});

test('configure writes the watched files and lists entries like minimega; all applies to every server', async () => {
  const { host, servers } = await setup();
  await servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20');
  await servers.configure('0', 'ip', ['02:00:00:00:00:05', '10.0.0.5']);
  await servers.configure('all', 'options', ['option:router,10.0.0.1']);
  assert.equal(host.files.get('/b/dnsmasq/0/dhcpdir/host-02-00-00-00-00-05'), '02:00:00:00:00:05,10.0.0.5\n');
  assert.equal(host.files.get('/b/dnsmasq/0/dhcpoptsdir/dhcp-options'), 'option:router,10.0.0.1\n');
  assert.deepEqual(await servers.configure('0', 'ip', []), [{ id: 0, key: '02:00:00:00:00:05', value: '10.0.0.5' }]);
  await assert.rejects(servers.configure('7', 'dns', []), /invalid dnsmasq id: 7/);
  await assert.rejects(servers.configure('0', 'ip', ['nope', '10.0.0.5']), /`nope`/);
});

test('static leases: a file per MAC written once; a changed address or option is rewritten and dnsmasq reloads (SIGHUP)', async () => {
  const { host, servers } = await setup();
  await servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20');
  const writes = (path: string) => host.calls.filter((c) => 'path' in c && c.path === path).length;
  const sighups = () => host.calls.filter((c) => c.op === 'kill' && c.signal === 'SIGHUP').length;
  const mac5 = '/b/dnsmasq/0/dhcpdir/host-02-00-00-00-00-05';
  await servers.configure('0', 'ip', ['02:00:00:00:00:05', '10.0.0.5']);
  await servers.configure('0', 'ip', ['02:00:00:00:00:06', '10.0.0.6']);
  await servers.configure('0', 'dns', ['10.0.0.5', 'web.lab']);
  // dnsmasq only adds what a file of --dhcp-hostsdir holds: a file read twice is a duplicate.
  assert.equal(writes(mac5), 1, 'an unchanged lease is not written again');
  assert.equal(host.files.get('/b/dnsmasq/0/dhcpdir/host-02-00-00-00-00-06'), '02:00:00:00:00:06,10.0.0.6\n');
  assert.equal(writes('/b/dnsmasq/0/dhcpoptsdir/dhcp-options'), 1, 'only at start');
  assert.equal(sighups(), 0, 'additions are read by dnsmasq itself (inotify)');
  await servers.configure('0', 'ip', ['02:00:00:00:00:05', '10.0.0.15']);
  assert.equal(host.files.get(mac5), '02:00:00:00:00:05,10.0.0.15\n');
  assert.deepEqual(
    host.calls.filter((c) => c.op === 'kill').map((c) => 'signal' in c && [c.pid, c.signal]),
    [[4000, 'SIGHUP']],
    'a changed address: dnsmasq would keep the first it read, so it reloads',
  );
  await servers.configure('0', 'options', ['option:router,10.0.0.1']);
  assert.equal(sighups(), 2, 'options are added beside the old ones on a re-read: reload');
  // A server an earlier version started kept every lease in one file: they move to a file each.
  host.files.set('/b/dnsmasq/0/dhcpdir/dhcp', '02:00:00:00:00:06,10.0.0.6\n');
  await servers.configure('0', 'ip', ['02:00:00:00:00:07', '10.0.0.7']);
  assert.ok(!host.files.has('/b/dnsmasq/0/dhcpdir/dhcp'));
  assert.equal(host.files.get('/b/dnsmasq/0/dhcpdir/host-02-00-00-00-00-06'), '02:00:00:00:00:06,10.0.0.6\n');
  assert.equal(sighups(), 3);
});

test('configure returns once dnsmasq says it read what changed, or after its wait with a note', async () => {
  const { host, servers, logs } = await setup(60_000);
  await servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20');
  host.echoReads = true;
  await servers.configure('0', 'ip', ['02:00:00:00:00:05', '10.0.0.5']); // would wait a minute without the line
  assert.deepEqual(logs, []);
  const slow = await setup(50);
  await slow.servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20');
  await slow.servers.configure('0', 'dns', ['10.0.0.5', 'web.lab']);
  assert.deepEqual(slow.logs, ['dnsmasq 0: its log does not show it read /b/dnsmasq/0/hostdir/hosts within 50 ms']);
});

test('kill stops the process and removes its directory; kill all leaves no dnsmasq directory', async () => {
  const { host, servers } = await setup();
  await servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20');
  await servers.kill('0');
  assert.ok(host.calls.some((c) => c.op === 'kill' && c.pid === 4000 && c.signal === 'SIGTERM'));
  assert.ok(!(await host.exists('/b/dnsmasq')));
  await assert.rejects(servers.kill('0'), /invalid dnsmasq id: 0/);
  await servers.kill('all');
});

test('after a restart a running server is adopted, a dead one is removed and reported', async () => {
  const { host, taps, servers } = await setup();
  await servers.start('10.0.0.1', '10.0.0.10', '10.0.0.20');
  host.files.set('/b/dnsmasq/0/dnsmasq.leases', '1800000000 02:00:00:00:00:07 10.0.0.17 c7 *\n');
  const again = new DnsmasqServers(host, taps, '/b');
  assert.deepEqual(await again.recover(), []);
  assert.equal((await again.leases()).get('02:00:00:00:00:07'), '10.0.0.17');
  host.files.delete('/proc/4000/stat'); // died while no daemon watched
  const third = new DnsmasqServers(host, taps, '/b');
  assert.match((await third.recover()).join('\n'), /dnsmasq 0 was not running after the daemon restart/);
  assert.deepEqual(await third.list(), []);
  assert.ok(!(await host.exists('/b/dnsmasq/0')));
});
