// The confinement battery (test/security/battery.sh) run through `vm exec` inside running
// containers instead of as their init: a command entered into a container gets exactly its
// confinement, so every line must say PASS here too (default and relaxed containers), and the file
// the battery writes into its own / never appears on the host.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { leaked, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { hostDisk } from './devcgroup.js';
import { missingChecks, type BatteryRun } from './battery-expected.js';

/** / is filled to disk-size by the battery (64 MiB of the 1024 MB memory limit). */
const DISK_SIZE = 64 * 1024 * 1024;

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const PROBE = fileURLToPath(new URL('../../../shim/build/probe', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../../../test/security/battery.sh', import.meta.url));

const VARIANTS = [
  { name: 'default', config: [] as string[], mode: 'default' },
  { name: 'relaxed', config: ['vm config caps NET_BROADCAST', 'vm config seccomp false', 'vm config tun true'], mode: 'relaxed' },
];

describe('security battery through vm exec', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let kit = '';
  let pre: HostSnapshot;
  const disk = hostDisk();

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    kit = mkdtempSync(join(tmpdir(), 'nm-kit-'));
    copyFileSync(PROBE, join(kit, 'probe'));
    copyFileSync(SCRIPT, join(kit, 'battery.sh'));
    execFileSync('chmod', ['0755', join(kit, 'probe')]);
    d = await startDaemon();
  });

  after(async () => {
    await d?.dispose();
    await fs?.remove();
    if (kit) rmSync(kit, { recursive: true, force: true });
    assert.deepEqual(leaked(pre), {}, 'kernel objects leaked');
  });

  for (const v of VARIANTS) {
    test(`battery via vm exec: ${v.name}`, async () => {
      const escape = `nm-escape-${process.pid}-exec-${v.name}`;
      const host = hostname();
      await d.ok('clear vm config');
      await d.ok(`vm config filesystem ${fs.dir}`);
      await d.ok('vm config memory 1024');
      await d.ok(`vm config volume /kit ${kit}`);
      for (const line of v.config) await d.ok(line);
      await d.ok(`vm config disk-size ${DISK_SIZE}`);
      const name = `xbat-${v.name}`;
      await d.ok(`vm launch container ${name}`);
      await d.ok(`vm start ${name}`);
      const run: BatteryRun = { mode: v.mode as BatteryRun['mode'], via: 'exec', diskSize: DISK_SIZE };
      const argv = ['/kit/probe', 'fds-then', '/bin/busybox', 'sh', '/kit/battery.sh', v.mode, disk, escape, 'via=exec', `disksize=${DISK_SIZE}`];
      const [r] = await d.client.call('vm.exec', name, argv);
      const lines = r!.stdout.split('\n').filter(Boolean);
      for (const l of lines) console.log(`# [exec ${v.name}] ${l}`);
      console.log(
        `# battery via exec ${v.name}: ${lines.filter((l) => l.startsWith('PASS')).length} PASS, ${lines.filter((l) => l.startsWith('FAIL')).length} FAIL`,
      );
      assert.equal(r!.error, undefined);
      assert.equal(r!.code, 0, r!.stderr);
      assert.ok(lines.includes('BATTERY DONE'), 'the battery ran to the end');
      assert.deepEqual(
        lines.filter((l) => l.startsWith('FAIL')),
        [],
        'every check passes',
      );
      assert.ok(lines.includes('PASS exec-beside-init') && lines.includes('PASS proc-1-fd-only-0-1-2'));
      assert.deepEqual(missingChecks(lines, run), [], 'every expected check ran and passed');
      assert.equal(hostname(), host);
      assert.equal(existsSync(`/${escape}`), false, 'nothing written to the host /');
      await d.ok(`vm kill ${name}`);
      await d.ok('vm flush');
    });
  }
});
