import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { ConsoleClient } from '../helpers/console.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

describe('container features through the engine', { skip }, () => {
  const suite = useContainerSuite();
  let scratch: string;

  const info = async (name: string): Promise<ContainerInfo> => (await suite.d.client.call('vm.info')).find((c) => c.name === name)!;
  /** Launch + start one container with the current config; returns its console. */
  const run = async (name: string): Promise<{ c: ContainerInfo; con: ConsoleClient }> => {
    await suite.d.ok(`vm launch container ${name}`);
    await suite.d.ok(`vm start ${name}`);
    const c = await info(name);
    return { c, con: await ConsoleClient.connect(c.console) };
  };

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'nm-vol-'));
  });

  after(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  test('hostname defaults to the name and follows vm config hostname', async () => {
    await suite.d.ok('vm config hostname router-1');
    const { con } = await run('h0');
    assert.equal((await con.run('hostname')).trim(), 'router-1');
    con.close();
    await suite.d.ok('clear vm config hostname');
  });

  test('init sees only its own processes, with PID 1 at the root of its pid namespace', async () => {
    const { c, con } = await run('p0');
    const pids = (await con.run('ls /proc'))
      .split(/\s+/)
      .filter((x) => /^\d+$/.test(x))
      .map(Number);
    assert.ok(pids.includes(1));
    assert.ok(
      pids.every((p) => p < 100),
      `only small container pids: ${pids}`,
    );
    assert.ok(!pids.includes(c.pid) || c.pid < 100, 'host pid of init not visible as such');
    assert.match(await con.run('cat /proc/self/cgroup'), /^0::\/$/m);
    con.close();
  });

  test('masked directories are one empty read-only tmpfs', async () => {
    const { c, con } = await run('m0');
    // mountinfo: id parent major:minor root mountpoint options - fstype source superoptions
    const mounts = readFileSync(`/proc/${c.pid}/mountinfo`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map((f) => ({ dev: f[2]!, at: f[4]!, opts: f[5]!, type: f[f.indexOf('-') + 1]! }));
    const dirs = ['/proc/acpi', '/proc/asound', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'];
    const masks = mounts.filter((m) => dirs.includes(m.at) || /^\/sys\/devices\/system\/cpu\/cpu\d+\/thermal_throttle$/.test(m.at));
    for (const d of dirs.filter((x) => existsSync(x)))
      assert.ok(
        masks.some((m) => m.at === d),
        `${d} is masked`,
      );
    for (const m of masks) {
      assert.equal(m.type, 'tmpfs', m.at);
      assert.match(m.opts, /^ro,nosuid,nodev,noexec\b/, `${m.at}: ${m.opts}`);
      assert.equal((await con.run(`ls -A ${m.at} | wc -l`)).trim(), '0', `${m.at} is empty`);
      assert.match(await con.run(`touch ${m.at}/x 2>&1; echo rc=$?`), /Read-only file system[\s\S]*rc=1/, `${m.at} is read-only`);
    }
    assert.ok(new Set(masks.map((m) => m.dev)).size <= 1, `one superblock for every masked directory: ${masks.map((m) => `${m.at} ${m.dev}`)}`);
    con.close();
  });

  test('snapshot false runs directly on the filesystem directory; two such containers conflict', async () => {
    const own = await busyboxRoot();
    try {
      await suite.d.ok(`vm config filesystem ${own.dir}`);
      await suite.d.ok('vm config snapshot false');
      const { con } = await run('s0');
      await con.run('echo direct > /root/written-by-s0');
      con.close();
      assert.equal(readFileSync(join(own.dir, 'root/written-by-s0'), 'utf8'), 'direct\n');
      const r = await suite.d.exec('vm launch container s1');
      assert.match(r.errors.join(), /already used by vm `s0`/);
      await suite.d.ok('vm kill s0');
      await suite.d.ok('vm flush');
    } finally {
      await suite.d.ok(`vm config filesystem ${suite.fs.dir}`);
      await suite.d.ok('vm config snapshot true');
      await own.remove();
    }
  });

  test('snapshot true keeps the filesystem directory untouched', async () => {
    const { c, con } = await run('s2');
    await con.run('echo overlay > /root/written-by-s2');
    con.close();
    assert.ok(!existsSync(join(suite.fs.dir, 'root/written-by-s2')));
    assert.ok(existsSync(join(c.dir, 'layer/upper/root/written-by-s2')));
  });

  test('fifos are readable and writable from both sides', async () => {
    await suite.d.ok('vm config fifos 2');
    const { c, con } = await run('f0');
    assert.match(await con.run('ls /dev/fifos'), /fifo0\s+fifo1/);
    // container → host
    con.write('echo to-host > /dev/fifos/fifo0 &\n');
    const rd = await open(join(c.dir, 'fifo0'), 'r');
    const got = (await rd.readFile('utf8')).trim();
    await rd.close();
    assert.equal(got, 'to-host');
    // host → container
    con.write('cat /dev/fifos/fifo1 > /root/from-host &\n');
    const wr = await open(join(c.dir, 'fifo1'), 'w');
    await wr.writeFile('from-host\n');
    await wr.close();
    // `wait` returns once the background cat has copied everything (our writer closed the fifo).
    assert.equal((await con.run('wait; cat /root/from-host')).trim(), 'from-host');
    con.close();
    await suite.d.ok('clear vm config fifos');
  });

  test('volumes bind a host directory at a container path', async () => {
    writeFileSync(join(scratch, 'hello'), 'from the host\n');
    await suite.d.ok(`vm config volume /mnt/data ${scratch}`);
    const { con } = await run('v0');
    assert.equal((await con.run('cat /mnt/data/hello')).trim(), 'from the host');
    await con.run('echo back > /mnt/data/reply');
    con.close();
    assert.equal(readFileSync(join(scratch, 'reply'), 'utf8'), 'back\n');
    await suite.d.ok('clear vm config volume');
  });

  test('preinit is a host program run before init; a failing preinit fails the launch cleanly', async () => {
    // minimega's pattern: the preinit lives in the filesystem directory (read-only to snapshot containers).
    const mark = join(scratch, 'preinit-mark');
    writeFileSync(join(suite.fs.dir, 'preinit-ok'), `#!/bin/sh\necho "preinit-ran $1" > ${mark}\n`);
    chmodSync(join(suite.fs.dir, 'preinit-ok'), 0o755);
    writeFileSync(join(suite.fs.dir, 'preinit-bad'), '#!/bin/sh\necho no route to the lab >&2\nexit 7\n');
    chmodSync(join(suite.fs.dir, 'preinit-bad'), 0o755);
    await suite.d.ok(`vm config preinit ${suite.fs.dir}/preinit-ok`);
    const { con } = await run('pi0');
    assert.equal(readFileSync(mark, 'utf8'), `preinit-ran ${suite.fs.dir}/preinit-ok\n`);
    con.close();
    await suite.d.ok(`vm config preinit ${suite.fs.dir}/preinit-bad`);
    const r = await suite.d.exec('vm launch container pi1');
    assert.match(r.errors.join(), new RegExp(`preinit \`${suite.fs.dir}/preinit-bad\` exited with status 7: no route to the lab`));
    const c = await info('pi1');
    assert.equal(c.state, 'ERROR');
    assert.match(c.tags.error ?? '', /preinit/);
    await suite.d.ok('clear vm config preinit');
  });

  test('the uuid is shown as product_uuid where the host has DMI', async () => {
    await suite.d.ok('vm config uuid 11111111-2222-3333-4444-555555555555');
    const { c, con } = await run('u0');
    assert.equal(c.uuid, '11111111-2222-3333-4444-555555555555');
    assert.equal(readFileSync(join(c.dir, 'product_uuid'), 'utf8').trim(), c.uuid);
    if (existsSync('/sys/devices/virtual/dmi/id/product_uuid')) {
      assert.equal((await con.run('cat /sys/devices/virtual/dmi/id/product_uuid')).trim(), c.uuid);
    } else {
      // Without DMI on the host there is nothing to bind over: the container has no product_uuid
      // either (as designed), rather than a file the shim made up.
      assert.equal((await con.run('[ -e /sys/devices/virtual/dmi/id/product_uuid ] && echo present || echo absent')).trim(), 'absent');
    }
    con.close();
    const again = await suite.d.exec('vm launch container u1');
    assert.match(again.errors.join(), /already exists with UUID/);
    await suite.d.ok('clear vm config uuid');
  });

  test('bad input gets minimega errors and leaves nothing behind', async () => {
    const bad: [string, RegExp][] = [
      ['vm frobnicate', /./],
      ['vm launch container bad/name', /invalid name; must only include letters, numbers, hyphens and underscores: `bad\/name`/],
      ['vm launch container all', /invalid vm name, `all` is a reserved word/],
      ['vm launch container -3', /./],
      ['vm config memory lots', /strconv.ParseUint: parsing "lots": invalid syntax/],
      ['vm config vcpus 1000000000', /invalid vcpus `1000000000`/],
      ['vm config memory 0', /invalid memory `0`/],
      ['vm config fifos 1000000', /invalid fifos `1000000`/],
      [`vm config hostname ${'x'.repeat(1 << 20)}`, /longer than 4096 characters/],
      ['vm config init ../../bin/sh', /must be absolute inside the container/],
      ['vm config net 4096', /invalid VLAN 4096 in netspec `4096` \(0 <= vlan < 4096\)/],
      ['vm config net 1,zz:zz:zz:zz:zz:zz', /invalid MAC address `zz:zz:zz:zz:zz:zz` in netspec `1,zz:zz:zz:zz:zz:zz`/],
      ['vm config networks a,b,c', /malformed netspec `a,b,c`/],
      ['vm launch container h0', /vm already exists with name `h0`/],
    ];
    for (const [line, re] of bad) {
      const r = await suite.d.exec(line);
      assert.ok(r.errors.length > 0, `${line} must fail`);
      assert.match(r.errors.join('\n'), re, line);
    }
    await suite.d.ok('vm config filesystem /nonexistent/rootfs');
    assert.match((await suite.d.exec('vm launch container nofs')).errors.join(), /filesystem `\/nonexistent\/rootfs` does not exist/);
    await suite.d.ok(`vm config filesystem ${suite.fs.dir}`);
    await suite.d.ok('vm config init /no/such/init');
    const missing = await suite.d.exec('vm launch container noinit');
    assert.match(missing.errors.join(), /init `\/no\/such\/init`/);
    await suite.d.ok('vm config init /etc/passwd');
    const notExec = await suite.d.exec('vm launch container noexec');
    assert.match(notExec.errors.join(), /init `\/etc\/passwd`/);
    await suite.d.ok('clear vm config init');
    const names = (await suite.d.client.call('vm.info')).map((c) => c.name);
    assert.ok(!names.includes('nofs') && !names.includes('bad/name'), 'validation failures create no container');
    assert.equal((await info('noinit')).state, 'ERROR');
  });

  test('kill all and flush remove everything these tests made', async () => {
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
    assert.deepEqual(await suite.d.client.call('vm.info'), []);
  });
});
