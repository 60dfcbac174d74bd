// The Debian package, end to end on this machine: `npm run package`'s .deb installed with dpkg, the
// daemon started as its systemd unit would start it, 10 containers through the installed CLI, the web UI
// in Chromium, then `dpkg --purge`: nothing of the package or its containers may remain. Every packaged
// command runs in a mount namespace where the host's /usr/bin/node is hidden (a /dev/null bind), so the
// package's own runtime is the only Node there is.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requires } from '../helpers/requires.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { launchChromium, requiresChromium } from './lib/chromium.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROGRAM = '/usr/bin/nanomega';
const UNIT = '/lib/systemd/system/nanomega.service';
/** The unit's base: the package's prerm and postrm act on it. */
const BASE = '/run/nanomega';
const HOST_NODE = '/usr/bin/node';

function skipReason(): false | string {
  const r = requires('root', 'cgroup2', 'overlay') || requiresChromium();
  if (r) return r;
  const why = !existsSync('/usr/bin/dpkg-deb')
    ? 'no dpkg-deb'
    : existsSync(PROGRAM) || existsSync('/usr/lib/nanomega')
      ? `${PROGRAM} is already installed here (dpkg --purge nanomega first)`
      : existsSync(`${BASE}/nanomega.sock`)
        ? `a daemon already serves ${BASE}`
        : undefined;
  if (!why) return false;
  if (process.env.CI === 'true') throw new Error(`CI cannot run the package test: ${why}`);
  console.log(`# skip: ${why}`);
  return why;
}
const skip = skipReason();

/** argv run with the host's node hidden: `unshare -m` + a /dev/null bind over /usr/bin/node. */
function withoutHostNode(argv: string[]): string[] {
  const hide = existsSync(HOST_NODE) ? `mount --bind /dev/null ${HOST_NODE} && ` : '';
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${hide}PATH=/usr/sbin:/usr/bin:/sbin:/bin exec "$@"`, 'sh', ...argv];
}

function run(argv: string[], opts: { ok?: boolean } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 600_000 });
  const out = { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (opts.ok !== false) assert.equal(out.status, 0, `${argv.join(' ')} failed:\n${out.stdout}\n${out.stderr}`);
  return out;
}

const nm = (...words: string[]) => run(withoutHostNode([PROGRAM, ...words]));

let hostBefore: HostSnapshot;
let deb = '';
let daemon: ChildProcess | undefined;
let web: ChildProcess | undefined;
let installed = false;

before(() => {
  if (skip) return;
  hostBefore = snapshot();
});

after(() => {
  // A failed test must not leave the package installed.
  web?.kill('SIGTERM');
  if (installed && existsSync(PROGRAM)) spawnSync('dpkg', ['--purge', 'nanomega'], { stdio: 'ignore' });
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
});

test('npm run package builds a .deb with the engine, the unit, the group, polkit, logrotate and its own Node', { skip, timeout: 600_000 }, () => {
  const out = run(['bash', `${ROOT}/scripts/package-deb.sh`]).stdout;
  deb = /package: (\S+\.deb)/.exec(out)![1]!;
  const files = run(['dpkg-deb', '-c', deb]).stdout;
  for (const f of [
    './usr/bin/nanomega',
    './usr/lib/nanomega/node/bin/node',
    './usr/lib/nanomega/shim/build/nanomega-shim',
    './usr/lib/nanomega/shim/build/nanomega-client',
    './usr/lib/nanomega/dist/renderer/index.html',
    './lib/systemd/system/nanomega.service',
    './usr/lib/sysusers.d/nanomega.conf',
    './usr/share/polkit-1/actions/org.nanomega.daemon.policy',
    './etc/logrotate.d/nanomega',
  ]) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  assert.doesNotMatch(files, /node_modules\/(vite|typescript|electron|node-pty)\//, 'no build-time or optional native package');
  const control = run(['dpkg-deb', '-f', deb, 'Package', 'Depends']).stdout;
  assert.match(control, /Package: nanomega/);
  assert.doesNotMatch(control, /nodejs/, 'the host Node is not a dependency');
});

test('dpkg -i installs it: group, unit (KillMode=process, Delegate=yes), a runnable program', { skip, timeout: 120_000 }, () => {
  run(['dpkg', '-i', deb]);
  installed = true;
  assert.ok(execFileSync('getent', ['group', 'nanomega'], { encoding: 'utf8' }).startsWith('nanomega:'));
  const unit = readFileSync(UNIT, 'utf8');
  assert.match(unit, /^KillMode=process$/m);
  assert.match(unit, /^Delegate=yes$/m);
  assert.match(unit, /^ExecStart=\/usr\/bin\/nanomega serve --base \/run\/nanomega$/m);
  if (existsSync('/usr/bin/systemd-analyze')) {
    // Checks the unit's syntax and that ExecStart exists; a system without systemd as PID 1 still parses it.
    const v = run(['systemd-analyze', 'verify', UNIT], { ok: false });
    assert.doesNotMatch(v.stderr, /nanomega\.service:\d+:|Executable path is not absolute|Unknown key|Failed to/i, v.stderr);
  }
  // The program is the native client: -e and attach start no shell and no Node (shim/client/entry.c).
  assert.equal(realpathSync(PROGRAM), '/usr/lib/nanomega/shim/build/nanomega-client');
  assert.match(nm('--help').stdout, /usage: nanomega/);
});

test(
  'the daemon as the unit starts it, 10 containers through the installed CLI, the web UI in Chromium — host Node hidden',
  { skip, timeout: 300_000 },
  async () => {
    const exec = /^ExecStart=(.*)$/m.exec(readFileSync(UNIT, 'utf8'))![1]!.split(' ');
    daemon = spawn(withoutHostNode(exec)[0]!, withoutHostNode(exec).slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    daemon.stdout!.on('data', (d) => (log += d));
    daemon.stderr!.on('data', (d) => (log += d));
    for (let i = 0; i < 200 && !log.includes('serving on'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(log, /serving on \/run\/nanomega\/nanomega\.sock/);
    const exe = readlinkSync(`/proc/${readFileSync(`${BASE}/daemon.pid`, 'utf8').trim()}/exe`);
    assert.equal(exe, '/usr/lib/nanomega/node/bin/node', 'the daemon runs on the packaged runtime');

    nm('-e', 'vm launch container 10');
    nm('-e', 'vm start all');
    const info = nm('-e', '.columns name,state .csv true vm info').stdout;
    assert.equal(info.split('\n').filter((l) => l.endsWith(',RUNNING')).length, 10, info);

    const argv = withoutHostNode([PROGRAM, 'web', '127.0.0.1:0']);
    web = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no URL from nanomega web:\n${out}`)), 30_000);
      web!.stdout!.on('data', (d) => {
        out += d;
        const m = /web UI on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      });
    });
    const { browser, close } = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.locator('.conn.up').waitFor();
      await page.locator('.viewport .row[data-name="vm-9"]').waitFor();
      assert.equal(await page.locator('.viewport .row').count(), 10);
    } finally {
      await close();
    }
    const gone = new Promise((r) => web!.once('exit', r));
    web.kill('SIGTERM');
    await gone;
    web = undefined;
  },
);

test('dpkg --purge leaves no file, process, mount, cgroup, link or group', { skip, timeout: 120_000 }, async () => {
  const owned = run(['dpkg', '-L', 'nanomega']).stdout.split('\n').filter(Boolean);
  run(['dpkg', '--purge', 'nanomega']);
  installed = false;
  // prerm nuked the containers and stopped the daemon it found by its pid file.
  await new Promise<void>((resolve) => (daemon!.exitCode !== null || daemon!.signalCode ? resolve() : daemon!.once('exit', () => resolve())));
  const left = owned.filter(
    (f) =>
      ![
        '/.',
        '/etc',
        '/lib',
        '/usr',
        '/usr/bin',
        '/usr/lib',
        '/usr/share',
        '/usr/share/doc',
        '/lib/systemd',
        '/lib/systemd/system',
        '/etc/logrotate.d',
        '/usr/lib/sysusers.d',
        '/usr/share/polkit-1',
        '/usr/share/polkit-1/actions',
      ].includes(f) && existsSync(f),
  );
  assert.deepEqual(left, []);
  for (const d of [BASE, '/var/log/nanomega', '/usr/lib/nanomega']) assert.equal(existsSync(d), false, `${d} removed`);
  assert.equal(spawnSync('getent', ['group', 'nanomega']).status, 2, 'the nanomega group is gone');
  const packaged = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('/usr/lib/nanomega/');
      } catch {
        return false;
      }
    });
  assert.deepEqual(packaged, [], 'no process of the package runs');
  await assertNoLeaks(hostBefore);
});
