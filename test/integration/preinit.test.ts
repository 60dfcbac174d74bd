// minimega's preinit through the daemon, with real containers: a host program run with every privilege in
// the container's namespaces before pivot_root (the minirouter pattern: forwarding on in the container,
// unchanged on the host); a container that rewrites its own /preinit, /bin/sh and /init and is started
// again gains nothing; bad preinit files are clear errors at `vm config` and at launch, with nothing
// created; relative paths resolve under the daemon's --filepath.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { ConsoleClient } from '../helpers/console.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { leaked, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
/** Docker's 14 capabilities plus NET_ADMIN: what a container's processes may hold. */
const DEFAULT_CAPS = '00000000a80435fb';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('preinit', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let pre: HostSnapshot;
  /** The daemon's files directory (--filepath): the busybox root is `rootfs` in it. */
  let files = '';
  const forwardHost = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');

  const info = async (name: string): Promise<ContainerInfo> => {
    const c = (await d.client.call('vm.info')).find((x) => x.name === name);
    assert.ok(c, `no container ${name}`);
    return c;
  };
  const waitState = async (name: string, want: string): Promise<ContainerInfo> => {
    for (let i = 0; i < 400; i++) {
      const c = await info(name);
      if (c.state === want) return c;
      await sleep(25);
    }
    throw new Error(`${name} never reached ${want} (${(await info(name)).state} ${(await info(name)).tags.error ?? ''})`);
  };
  const script = (path: string, body: string, mode = 0o755) => {
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, mode);
  };

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    files = join(fs.dir, '..');
    d = await startDaemon({ filepath: files });
  });

  after(async () => {
    await d?.dispose().catch(() => undefined);
    await fs?.remove();
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  test('the minirouter pattern: forwarding on in the container, unchanged on the host; aliases exist at config time', async () => {
    // A host file in the filesystem directory, named relatively (under --filepath), as minimega's tests do.
    script(join(fs.dir, 'router-preinit'), 'sysctl -w net.ipv4.ip_forward=1\n[ -d /proc/sys/net/ipv6 ] && sysctl -w net.ipv6.conf.all.forwarding=1\nexit 0');
    const hostBefore = forwardHost();
    await d.ok('clear vm config');
    await d.ok('vm config filesystem rootfs');
    assert.equal((await d.ok('vm config filesystem')).trim(), fs.dir);
    await d.ok('vm config preinit rootfs/router-preinit');
    assert.equal((await d.ok('vm config preinit')).trim(), join(fs.dir, 'router-preinit'));
    await d.ok('vm config net RTR_A RTR_B');
    const vlans = await d.ok('vlans');
    assert.match(vlans, /RTR_A/, 'an alias exists once vm config names it');
    assert.match(vlans, /RTR_B/);
    await d.ok('vm launch container router');
    await d.ok('vm start router');
    const c = await waitState('router', 'RUNNING');
    const inNs = (key: string) => execFileSync('nsenter', [`--net=/proc/${c.pid}/ns/net`, '--', 'sysctl', '-n', key], { encoding: 'utf8' }).trim();
    assert.equal(inNs('net.ipv4.ip_forward'), '1', 'forwarding on in the container');
    if (existsSync('/proc/sys/net/ipv6')) assert.equal(inNs('net.ipv6.conf.all.forwarding'), '1');
    assert.equal(forwardHost(), hostBefore, 'host forwarding unchanged');
    const con = await ConsoleClient.connect(c.console);
    assert.equal((await con.run('cat /proc/sys/net/ipv4/ip_forward')).trim(), '1', 'seen from inside too');
    assert.match(await con.run('ls /sys/class/net'), /veth0[\s\S]*veth1/, 'both NICs');
    con.close();
    await d.ok('vm kill router');
    await waitState('router', 'QUIT'); // its exit recorded before flush removes the instance dir
    await d.ok('vm flush');
  });

  test('a container that rewrites its own /preinit, /bin/sh and /init and is started again gains nothing', async () => {
    const kit = join(files, 'kit');
    mkdirSync(kit, { recursive: true });
    const runs = join(files, 'preinit-runs');
    const hostPreinit = join(fs.dir, 'attacked-preinit');
    script(hostPreinit, `echo "run $(grep CapEff /proc/self/status)" >> ${runs}`);
    const original = readFileSync(hostPreinit, 'utf8');
    // Run 1 plants its code wherever a privileged step might look: its own /preinit, the same path as the
    // host preinit inside its root, its /bin/sh (the usual `#!` interpreter) and its /init. Each planted
    // program records the capabilities it runs with. Run 2 (after `vm start`) executes the planted /init.
    const plant = '#!/bin/sh\n/bin/busybox grep CapEff /proc/self/status >> /pwned\n';
    writeFileSync(
      join(kit, 'attack.sh'),
      [
        'B=/bin/busybox',
        'if [ ! -e /kit/run1 ]; then',
        `  $B mkdir -p ${fs.dir}`,
        `  for f in /preinit ${hostPreinit} /init; do printf '${plant.replace(/\n/g, '\\n')}' > $f; $B chmod 755 $f; done`,
        '  $B rm -f /bin/sh; printf \'#!/bin/busybox sh\\n/bin/busybox grep CapEff /proc/self/status >> /pwned\\nexec /bin/busybox sh "$@"\\n\' > /bin/sh; $B chmod 755 /bin/sh',
        '  : > /kit/run1',
        '  exit 0',
        'fi',
        'exec /init',
      ].join('\n') + '\n',
    );
    await d.ok('clear vm config');
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok(`vm config preinit ${hostPreinit}`);
    await d.ok('vm config volume /kit kit');
    await d.ok('vm config init /bin/busybox sh /kit/attack.sh');
    await d.ok('vm launch container victim');
    await d.ok('vm start victim');
    await waitState('victim', 'QUIT');
    assert.ok(existsSync(join(kit, 'run1')), 'run 1 planted its files');
    await d.ok('vm start victim');
    const c = await waitState('victim', 'QUIT');

    const ran = readFileSync(runs, 'utf8').trim().split('\n');
    assert.equal(ran.length, 2, 'the host preinit ran at each start');
    for (const l of ran) assert.doesNotMatch(l, new RegExp(DEFAULT_CAPS), 'the host preinit has full privileges');
    assert.equal(readFileSync(hostPreinit, 'utf8'), original, 'the host preinit is untouched');
    const pwned = readFileSync(join(c.dir, 'layer', 'upper', 'pwned'), 'utf8')
      .trim()
      .split('\n');
    // The planted /init (run by init) and /bin/sh (its interpreter) ran — with the container's capabilities.
    assert.ok(pwned.length >= 2, `planted programs ran as the container: ${pwned}`);
    for (const l of pwned) assert.equal(l, `CapEff:\t${DEFAULT_CAPS}`, 'nothing planted ever ran with more');
    await d.ok('vm flush');
    await d.ok('clear vm config');
  });

  test('a preinit that leaves processes behind: they are gone before init runs', async () => {
    script(join(fs.dir, 'leaves-preinit'), 'sleep 1000 &\nsetsid sleep 1001 < /dev/null > /dev/null 2>&1 &\nexit 0');
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok(`vm config preinit ${join(fs.dir, 'leaves-preinit')}`);
    await d.ok('vm launch container leaver');
    const c = await info('leaver');
    const ns = execFileSync('readlink', [`/proc/${c.pid}/ns/pid`], { encoding: 'utf8' }).trim();
    const members = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return execFileSync('readlink', [`/proc/${p}/ns/pid`], { encoding: 'utf8' }).trim() === ns;
        } catch {
          return false;
        }
      });
    assert.deepEqual(members, [String(c.pid)], 'only init (frozen before exec) is in the PID namespace');
    await d.ok('vm kill leaver');
    await waitState('leaver', 'QUIT');
    await d.ok('vm flush');
    await d.ok('clear vm config');
  });

  test('a preinit that fails leaves the container ERROR with its reason; vm info shows the NICs it asked for, none made', async () => {
    await d.ok(`vm config filesystem ${fs.dir}`);
    const failing = join(files, 'failing-preinit');
    script(failing, 'exit 3');
    await d.ok(`vm config preinit ${failing}`);
    await d.ok('vm config net PREFAIL,02:00:00:00:00:3a 77');
    const veths = () => execFileSync('ip', ['-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).replace(/^\d+: ([^:@]+).*$/gm, '$1');
    const before = veths();
    const r = await d.exec('vm launch container prefail');
    assert.match(r.errors.join(), /preinit `.*failing-preinit` exited with status 3/);
    const c = await info('prefail');
    assert.equal(c.state, 'ERROR');
    const alias = (await d.ok('vlans')).match(/PREFAIL\s*\|\s*(\d+)/)?.[1];
    assert.ok(alias, 'the alias was allocated at config time');
    assert.equal(
      (await d.ok('.header false .columns vlan,bridge,tap,mac vm info')).trim(),
      `[PREFAIL (${alias}), 77] | [mega_bridge, mega_bridge] | [, ] | [02:00:00:00:00:3a, ]`,
    );
    assert.equal(veths(), before, 'no host end is left');
    await d.ok('vm flush');
    await d.ok('clear vm config');
  });

  test('bad preinit files are refused by vm config and at launch, naming the path; nothing is created', async () => {
    await d.ok(`vm config filesystem ${fs.dir}`);
    const bad = join(files, 'bad');
    mkdirSync(bad, { recursive: true });
    const good = join(bad, 'good');
    script(good, 'exit 0');
    script(join(bad, 'world'), 'exit 0', 0o777);
    script(join(bad, 'user'), 'exit 0');
    chownSync(join(bad, 'user'), 1000, 1000);
    symlinkSync('good', join(bad, 'link'));
    const cases: [string, RegExp][] = [
      [join(bad, 'missing'), /^E?:? ?preinit `.*\/bad\/missing` does not exist/],
      [join(bad, 'link'), /preinit `.*\/bad\/link` has a symlink in its path: `.*\/bad\/link`/],
      [join(bad, 'world'), /preinit `.*\/bad\/world` is writable by group or others \(mode 0777\)/],
      [join(bad, 'user'), /preinit `.*\/bad\/user` is owned by uid 1000, not root/],
    ];
    for (const [path, want] of cases) {
      const r = await d.exec(`vm config preinit ${path}`);
      assert.match(r.errors.join(), want, path);
      assert.equal((await d.ok('vm config preinit')).trim(), '', 'the field is left unchanged');
    }
    // In a read-write volume of this config: a container could rewrite it.
    await d.ok(`vm config volume /bad ${bad}`);
    assert.match((await d.exec(`vm config preinit ${good}`)).errors.join(), /is inside `.*\/bad`, which a container can write/);
    await d.ok('clear vm config volume');

    // Accepted at config time, then made unsafe: the launch refuses it before creating anything.
    await d.ok(`vm config preinit ${good}`);
    chmodSync(good, 0o775);
    const before = { snap: snapshot(), dirs: readdirSync(d.base).sort() };
    const r = await d.exec('vm launch container never');
    assert.match(r.errors.join(), /preinit `.*\/bad\/good` is writable by group or others \(mode 0775\)/);
    assert.equal(
      (await d.client.call('vm.info')).some((c) => c.name === 'never'),
      false,
      'no container',
    );
    assert.deepEqual(readdirSync(d.base).sort(), before.dirs, 'no instance directory');
    assert.deepEqual(leaked(before.snap), {}, 'no kernel object');
    await d.ok('clear vm config');
    rmSync(bad, { recursive: true, force: true });
  });
});
