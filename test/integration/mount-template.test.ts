// Containers are cloned from the launcher's template mount namespace (shim/src/mntns.c), not from the
// host's table with every container's writable layer: the template never holds a layer, a container
// still gets its own layer, and the template follows the host's mounts (one mounted after the daemon
// started is seen by the next container; one unmounted is let go).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { statFields } from '../../engine/host/proc-stat.js';
import { ConsoleClient } from '../helpers/console.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** The daemon's launcher: its child named nm-launcher. */
function launcherPid(daemon: number): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [comm, rest] = [stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), statFields(stat)];
      if (comm === 'nm-launcher' && Number(rest[1]) === daemon) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no nm-launcher under daemon ${daemon}`);
}

/**
 * The template's mountinfo: the launcher holds it open, a mount namespace other than its own. The
 * launcher replaces the template when the host's mounts change (closing the old descriptor), so a
 * descriptor seen here can be gone by the time nsenter opens it: look again.
 */
function templateMountinfo(launcher: number): string {
  const own = readlinkSync(`/proc/${launcher}/ns/mnt`);
  for (let attempt = 0; ; attempt++) {
    for (const fd of readdirSync(`/proc/${launcher}/fd`)) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${launcher}/fd/${fd}`, { encoding: 'utf8' });
      } catch {
        continue; // closed meanwhile
      }
      if (!link.startsWith('mnt:[') || link === own) continue;
      try {
        return execFileSync('nsenter', [`--mount=/proc/${launcher}/fd/${fd}`, 'cat', '/proc/self/mountinfo'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (err) {
        if (attempt >= 20) throw err;
      }
    }
    if (attempt >= 20) throw new Error(`launcher ${launcher} holds no template mount namespace`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // let the rebuild finish
  }
}

const mountPoints = (mountinfo: string) => mountinfo.split('\n').map((l) => l.split(' ')[4] ?? '');
const layers = (mountinfo: string) => mountinfo.split('\n').filter((l) => / - tmpfs nanomega-layer /.test(l));

describe('the template mount namespace', { skip }, () => {
  const suite = useContainerSuite();

  test('holds no writable layer, while every container has its own', async () => {
    await suite.d.ok('vm launch container t[0-2]');
    const launcher = launcherPid(suite.d.proc.pid!);
    assert.equal(layers(readFileSync('/proc/self/mountinfo', 'utf8')).filter((l) => l.includes(suite.d.base)).length, 3, 'three layers on the host');
    assert.deepEqual(layers(templateMountinfo(launcher)), [], 'none in the template');
    await suite.d.ok('vm start t1');
    const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 't1')!;
    const con = await ConsoleClient.connect(c.console);
    try {
      await con.run('echo mine > /root/written');
    } finally {
      con.close();
    }
    assert.equal(readFileSync(join(c.dir, 'layer/upper/root/written'), 'utf8'), 'mine\n', 'written to its layer on the host');
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
  });

  test('follows the host: a filesystem mounted later is seen, one unmounted is let go', async () => {
    const late = join(suite.d.base, 'late-fs');
    mkdirSync(late);
    execFileSync('mount', ['--bind', suite.fs.dir, late]);
    let mounted = true;
    try {
      await suite.d.ok(`vm config filesystem ${late}`);
      await suite.d.ok('vm launch container late0');
      await suite.d.ok('vm start late0');
      const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 'late0')!;
      assert.equal(c.state, 'RUNNING');
      const con = await ConsoleClient.connect(c.console);
      try {
        assert.equal((await con.run('hostname')).trim(), 'late0', 'init of the late filesystem runs');
      } finally {
        con.close();
      }
      const launcher = launcherPid(suite.d.proc.pid!);
      assert.ok(mountPoints(templateMountinfo(launcher)).includes(late), 'the template has the late mount');
      await suite.d.ok('vm kill all');
      await suite.d.ok('vm flush');
      await suite.d.ok(`vm config filesystem ${suite.fs.dir}`);
      execFileSync('umount', [late]);
      mounted = false;
      // The launcher rebuilds the template once the host's table has been quiet for a moment.
      let held = true;
      for (let i = 0; i < 100 && held; i++) {
        held = mountPoints(templateMountinfo(launcher)).includes(late);
        if (held) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(held, false, 'the template let go of the unmounted filesystem');
      assert.ok(existsSync(late));
    } finally {
      if (mounted) execFileSync('umount', ['-l', late]);
    }
  });
});
