// The confinement battery (security-and-reliability.md, "The battery"): test/security/battery.sh runs
// as the init of real containers launched through the daemon, with the static probe
// (shim/build/probe) for what busybox cannot express. Every line must say PASS, in every variant:
// snapshot on and off, the built-in host filesystem, fifos, a NIC, and the relaxed per-container
// options, and with the eBPF device filter forced (NANOMEGA_DEVICE_FILTER=ebpf: the device checks
// then pass on the eBPF program alone, the v1 devices cgroup allowing everything). Afterwards the
// host's hostname, clock, interfaces and mount table are unchanged and the file the battery writes
// into its own / never appears on the host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { leaked, links, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { missingChecks, type BatteryRun } from './battery-expected.js';
import { hostDisk, initPid, startDaemonWithDeviceFilter, v1DevicesList } from './devcgroup.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const PROBE = fileURLToPath(new URL('../../../shim/build/probe', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../../test/security/battery.sh', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NFT = '/usr/sbin/nft';

/** The host's network configuration a container with NET_ADMIN must not be able to change. */
function hostNet(): Record<string, string> {
  const run = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '(unavailable)';
    }
  };
  return {
    routes: run('ip', ['route', 'show', 'table', 'all']),
    routes6: run('ip', ['-6', 'route', 'show', 'table', 'all']),
    rules: run('ip', ['rule', 'show']),
    forward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'),
    nft: existsSync(NFT) ? run(NFT, ['list', 'ruleset']) : '',
  };
}

function mountTable(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(3).join(' '))
    .sort();
}

async function stateOf(d: TestDaemon, name: string): Promise<{ state: string; error: string }> {
  const info = await d.client.call('vm.info');
  const c = info.find((x) => x.name === name);
  return { state: c?.state ?? 'GONE', error: c?.tags.error ?? '' };
}

async function waitDone(d: TestDaemon, name: string, ms = 120_000): Promise<{ state: string; error: string }> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await stateOf(d, name);
    if (s.state === 'QUIT' || s.state === 'ERROR') return s;
    if (Date.now() > end) throw new Error(`${name} still ${s.state} after ${ms} ms`);
    await sleep(100);
  }
}

/** The battery's disk-size: / is filled until ENOSPC (64 MiB of the memory limit, 1024 MB). */
const DISK_SIZE = 64 * 1024 * 1024;

/** The mountinfo line of the writable layer under an instance dir, if one is mounted. */
function layerOf(dir: string): string | undefined {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[4] === join(dir, 'layer'));
}

interface Variant {
  name: string;
  /** `vm config` lines before launch (after the common ones). */
  config: string[];
  mode: 'default' | 'relaxed';
  /** Run on the built-in host filesystem instead of the busybox rootfs. */
  hostfs?: boolean;
  /** Run under a daemon started with NANOMEGA_DEVICE_FILTER=ebpf. */
  ebpf?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'snap', config: ['vm config snapshot true'], mode: 'default' },
  { name: 'nosnap', config: ['vm config snapshot false'], mode: 'default' },
  { name: 'fifos', config: ['vm config snapshot true', 'vm config fifos 2'], mode: 'default' },
  { name: 'net', config: ['vm config snapshot true', 'vm config net 100'], mode: 'default' },
  { name: 'hostfs', config: ['vm config snapshot true'], mode: 'default', hostfs: true },
  {
    name: 'relaxed',
    config: ['vm config snapshot true', 'vm config caps NET_BROADCAST', 'vm config seccomp false', 'vm config tun true'],
    mode: 'relaxed',
  },
  { name: 'ebpf', config: ['vm config snapshot true'], mode: 'default', ebpf: true },
];

describe('security battery as container init', { skip }, () => {
  let d: TestDaemon;
  let dEbpf: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let kit = '';
  let pre: HostSnapshot;
  let mountsBefore: string[] = [];
  let linksBefore: string[] = [];
  let hostnameBefore = '';
  let hostNetBefore: Record<string, string> = {};
  let hostIf = '';
  const disk = hostDisk();
  const results: Record<string, string[]> = {};

  before(async () => {
    pre = snapshot();
    mountsBefore = mountTable();
    linksBefore = links();
    hostnameBefore = hostname();
    hostNetBefore = hostNet();
    hostIf = linksBefore.find((l) => l !== 'lo') ?? 'eth0';
    fs = await busyboxRoot();
    kit = mkdtempSync(join(tmpdir(), 'nm-kit-'));
    copyFileSync(PROBE, join(kit, 'probe'));
    copyFileSync(SCRIPT, join(kit, 'battery.sh'));
    execFileSync('chmod', ['0755', join(kit, 'probe')]);
    d = await startDaemon();
    dEbpf = await startDaemonWithDeviceFilter('ebpf');
  });

  after(async () => {
    await d?.dispose();
    await dEbpf?.dispose();
    await fs?.remove();
    if (kit) rmSync(kit, { recursive: true, force: true });
    for (const [name, lines] of Object.entries(results)) {
      console.log(`# battery ${name}: ${lines.filter((l) => l.startsWith('PASS')).length} PASS, ${lines.filter((l) => l.startsWith('FAIL')).length} FAIL`);
    }
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  for (const v of VARIANTS) {
    test(`battery: ${v.name}`, async () => {
      const vd = v.ebpf ? dEbpf : d;
      const escape = `nm-escape-${process.pid}-${v.name}`;
      const t0 = Date.now();
      const h0 = process.hrtime.bigint();
      await vd.ok('clear vm config');
      await vd.ok(`vm config filesystem ${v.hostfs ? '' : fs.dir}`.trim());
      if (v.hostfs) await vd.ok('clear vm config filesystem');
      await vd.ok('vm config memory 1024');
      await vd.ok(`vm config volume /kit ${kit}`);
      for (const line of v.config) await vd.ok(line);
      // The writable layer: snapshot containers fill theirs to disk-size; snapshot false has none.
      const snap = !v.config.includes('vm config snapshot false');
      await vd.ok(`vm config disk-size ${DISK_SIZE}`);
      const run: BatteryRun = { mode: v.mode, via: 'init', diskSize: snap ? DISK_SIZE : undefined, fifos: v.config.includes('vm config fifos 2') ? 2 : 0 };
      await vd.ok(
        `vm config init /kit/probe fds-then /bin/busybox sh /kit/battery.sh ${v.mode} ${disk} ${escape} hostif=${hostIf} disksize=${run.diskSize ?? 'none'}`,
      );
      const name = `bat-${v.name}`;
      await vd.ok(`vm launch container ${name}`);
      if (v.ebpf) {
        // Frozen before exec, in its cgroups: v1 must not be what denies the devices below.
        const list = v1DevicesList(await initPid(vd, name));
        if (list !== undefined) assert.equal(list, 'a *:* rwm', 'v1 devices cgroup not restricting under ebpf');
      }
      await vd.ok(`vm start ${name}`);
      const end = await waitDone(vd, name);
      const lines = readFileSync(join(kit, 'results'), 'utf8').split('\n').filter(Boolean);
      results[v.name] = lines;
      for (const l of lines) console.log(`# [${v.name}] ${l}`);
      assert.equal(end.state, 'QUIT', `battery init ended ${end.state} ${end.error}`);
      assert.ok(lines.includes('BATTERY DONE'), 'the battery ran to the end');
      assert.deepEqual(
        lines.filter((l) => l.startsWith('FAIL')),
        [],
        'every check passes',
      );
      assert.deepEqual(missingChecks(lines, run), [], 'every expected check ran and passed');
      const layer = layerOf((await vd.client.call('vm.info')).find((c) => c.name === name)!.dir);
      if (snap) assert.match(layer ?? '', new RegExp(`tmpfs nanomega-layer rw,size=${DISK_SIZE / 1024}k`), 'the fill landed in the tmpfs layer');
      else assert.equal(layer, undefined);

      // Host-side checks.
      assert.equal(hostname(), hostnameBefore, 'host hostname unchanged');
      const wall = Date.now() - t0;
      const mono = Number((process.hrtime.bigint() - h0) / 1_000_000n);
      assert.ok(Math.abs(wall - mono) < 2000, `host clock unchanged (wall ${wall} ms vs monotonic ${mono} ms)`);
      assert.deepEqual(links(), linksBefore, 'host interfaces unchanged');
      assert.deepEqual(hostNet(), hostNetBefore, 'host routes, rules, forwarding and netfilter unchanged');
      for (const check of ['net-admin-ip-addr-add', 'net-admin-ip-route-add', 'net-admin-sysctl-ip-forward']) {
        assert.ok(lines.includes(`PASS ${check}`), `${check} ran`);
      }
      if (v.hostfs && existsSync(NFT)) assert.ok(lines.includes('PASS net-admin-nft-own-table'), 'nft ran in the host filesystem variant');
      assert.equal(existsSync(`/${escape}`), false, 'nothing written to the host /');
      assert.equal(existsSync(join(fs.dir, '..', escape)), false);
      await vd.ok(`vm kill ${name}`).catch(() => undefined);
      await vd.ok('vm flush');
    });
  }

  test("snapshot false on the built-in filesystem is refused (it is every default container's lower layer)", async () => {
    await d.ok('clear vm config');
    await d.ok('vm config snapshot false');
    assert.match((await d.exec('vm launch container bat-h2')).errors.join(), /snapshot false needs a filesystem of its own/);
    assert.equal(
      (await d.client.call('vm.info')).some((c) => c.name === 'bat-h2'),
      false,
    );
    await d.ok('clear vm config');
  });

  test('an image with /proc, /sys or /dev symlinked, or a volume over /proc/sys/kernel, is refused', async () => {
    const root = join(kit, 'hostile-root');
    cpSync(fs.dir, root, { recursive: true, verbatimSymlinks: true });
    try {
      const refused = async (what: string, lines: string[], want: RegExp) => {
        await d.ok('clear vm config');
        await d.ok(`vm config filesystem ${root}`);
        for (const l of lines) await d.ok(l);
        await d.exec('vm launch container bat-img');
        const c = (await d.client.call('vm.info')).find((x) => x.name === 'bat-img')!;
        assert.equal(c.state, 'ERROR', what);
        assert.match(c.tags.error ?? '', want, what);
        await d.ok('vm flush');
      };
      for (const dir of ['proc', 'sys', 'dev']) {
        rmSync(join(root, dir), { recursive: true, force: true });
        symlinkSync('/', join(root, dir));
        await refused(`/${dir} -> /`, [], new RegExp(`mount point \`/${dir}\` in the image is \\(or is under\\) a symlink`));
        rmSync(join(root, dir));
        mkdirSync(join(root, dir));
      }
      await refused('volume /proc/sys/kernel', [`vm config volume /proc/sys/kernel ${kit}`], /destination is on \/proc/);
      symlinkSync('/proc/sys/kernel', join(root, 'data'));
      await refused('volume /data -> /proc/sys/kernel', [`vm config volume /data ${kit}`], /destination is on \/proc/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('an init allocating past the memory limit is OOM-killed and the engine reports OOM', async () => {
    await d.ok('clear vm config');
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm config memory 64');
    await d.ok(`vm config volume /kit ${kit}`);
    await d.ok('vm config init /kit/probe alloc 1024');
    await d.ok('vm launch container bat-oom');
    await d.ok('vm start bat-oom');
    const end = await waitDone(d, 'bat-oom');
    assert.equal(end.state, 'ERROR');
    assert.match(end.error, /out of memory/);
    await d.ok('vm flush');
  });

  test('unknown capability names and bad booleans are refused by vm config', async () => {
    assert.match((await d.exec('vm config caps NET_ADMINX')).errors.join(), /unknown capability/);
    assert.match((await d.exec('vm config seccomp maybe')).errors.join(), /invalid command: `vm config seccomp maybe`|true or false/);
    await d.ok('vm config caps cap_net_admin net_raw');
    assert.equal((await d.ok('vm config caps')).trim(), '[NET_ADMIN NET_RAW]');
    await d.ok('clear vm config caps');
    assert.equal((await d.ok('vm config caps')).trim(), '[]');
    assert.equal((await d.ok('vm config seccomp')).trim(), 'true');
  });

  test('the host mount table is unchanged', () => {
    assert.deepEqual(mountTable(), mountsBefore);
  });
});
