// The `nanomega` program as a user runs it (bin/nanomega: the native client for -e and attach, the
// TypeScript program for the rest): -e, attach, console, web, start, rootfs build busybox, --base
// before and after the subcommand, and what it exposes (socket mode, no TCP or UDP listener).
// test/integration/cli.test.ts compares the native client with the TypeScript one.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { webProtocols } from '../../engine/api/web-auth.js';
import { socketPath } from '../../cli/engine-client.js';
import { minimegaSocketPath } from '../../engine/api/wire.js';
import { PID_FILE } from '../../engine/daemon/main.js';
import { ConsoleClient } from '../helpers/console.js';
import { startDaemon, tempBase } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { gone, until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
/** What users run. */
const NANOMEGA = fileURLToPath(new URL('../../../bin/nanomega', import.meta.url));

/** Run the program to completion. */
function nanomega(...argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NANOMEGA, argv, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the program in the background and collect its stdout and stderr. */
function background(...argv: string[]): { proc: ChildProcess; out: () => string } {
  const proc = spawn(NANOMEGA, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, out: () => out };
}

async function stop(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null) return proc.exitCode;
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  return exited;
}

/** Socket inodes a process holds (`socket:[N]` links in /proc/PID/fd). */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  const dir = `/proc/${pid}/fd`;
  for (const fd of readdirSync(dir)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(dir, fd)));
      if (m) out.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** Internet sockets (tcp, udp, v4 and v6) of the host: local address and state by inode. */
function inetSockets(): Map<string, { proto: string; local: string; state: string }> {
  const out = new Map<string, { proto: string; local: string; state: string }>();
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    const lines = readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1).filter(Boolean);
    for (const l of lines) {
      const f = l.trim().split(/\s+/);
      out.set(f[9]!, { proto, local: f[1]!, state: f[3]! });
    }
  }
  return out;
}

/** /proc/net/tcp's hex address:port → "a.b.c.d:port" (little-endian IPv4). */
function ipv4(hex: string): string {
  const [a, p] = hex.split(':');
  const n = Number.parseInt(a!, 16);
  return `${n & 255}.${(n >> 8) & 255}.${(n >> 16) & 255}.${n >>> 24}:${Number.parseInt(p!, 16)}`;
}

/** Pids of the shim processes (launcher, monitors) of a base: their executable is the shim. */
function shimPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/exe`).includes('nanomega-shim');
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The status of a WebSocket upgrade to the engine relay at `authority`: 101 when it opened. */
function wsStatus(authority: string, token?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${authority}/engine`, token ? webProtocols(token) : [], { origin: `http://${authority}` });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => undefined);
  });
}

describe('the nanomega program', { skip, timeout: 180_000 }, () => {
  const suite = useContainerSuite();

  test('-e prints the output, errors go to stderr as `E: msg` with exit status 1', () => {
    const launch = nanomega('--base', suite.d.base, '-e', 'vm launch container e0');
    assert.equal(launch.status, 0, launch.stderr);
    const info = nanomega('--base', suite.d.base, '-e', '.annotate false .columns name,state vm info');
    assert.equal(info.status, 0, info.stderr);
    assert.match(info.stdout, /^name\s+\|\s+state\s*\ne0\s+\|\s+BUILDING\s*\n$/);
    const bad = nanomega('--base', suite.d.base, '-e', 'vm start nosuch');
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, 'E: vm not found: nosuch\n');
    assert.equal(bad.stdout, '');
    // Several words after -e are one command, as with minimega -e.
    const words = nanomega('--base', suite.d.base, '-e', 'vm', 'kill', 'e0');
    assert.equal(words.status, 0, words.stderr);
    assert.equal(nanomega('--base', suite.d.base, '-e', 'vm flush').status, 0);
  });

  test('--base is taken after the subcommand too', async () => {
    await suite.d.ok('vm launch container b0');
    await suite.d.ok('vm start b0');
    // console NAME --base DIR: the console of that daemon's container, detached by Ctrl-] on stdin.
    const con = background('console', 'b0', '--base', suite.d.base);
    const exited = new Promise<number | null>((r) => con.proc.once('exit', (code) => r(code)));
    try {
      con.proc.stdin!.write('echo base-$((40+2))\n');
      await until(
        () => `the console output; got ${con.out()}`,
        () => /base-42/.test(con.out()),
      );
      con.proc.stdin!.write('\x1d');
      assert.equal(await exited, 0);
    } finally {
      await stop(con.proc);
    }
    // A base with no daemon is named in the error (so the option was not ignored).
    const none = mkdtempSync(join(tmpdir(), 'nm-nobase-'));
    try {
      const r = nanomega('console', 'b0', '--base', none);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`no nanomega daemon at ${none}/nanomega.sock`));
      const a = nanomega('attach', `--base=${none}`);
      assert.equal(a.status, 1);
      assert.match(a.stderr, new RegExp(`no nanomega daemon at ${none}/nanomega.sock`));
    } finally {
      rmSync(none, { recursive: true, force: true });
    }
    await suite.d.ok('vm kill b0');
    await suite.d.ok('vm flush');
  });

  test('attach is an interactive prompt that runs commands until quit', { skip: requires('pty') }, async () => {
    const pty = await import('node-pty');
    const term = pty.spawn(NANOMEGA, ['attach', '--base', suite.d.base], { cols: 120, rows: 30, name: 'xterm', env: { ...process.env, HOME: '/nonexistent' } });
    let out = '';
    term.onData((s) => (out += s));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    const prompts = () => out.split('nanomega$ ').length - 1;
    try {
      await until(
        () => `the prompt; got ${JSON.stringify(out)}`,
        () => prompts() >= 1,
      );
      let from = out.length;
      let n = prompts();
      term.write('vm launch container a[0-1]\r');
      await until(
        () => `the next prompt; got ${JSON.stringify(out.slice(from))}`,
        () => prompts() > n,
      );
      from = out.length;
      term.write('.columns name,state vm info\r');
      await until(
        () => `the table; got ${JSON.stringify(out.slice(from))}`,
        () => /a1\s+\|\s+BUILDING/.test(out.slice(from)),
      );
      from = out.length;
      n = prompts();
      term.write('vm start nosuch\r');
      await until(
        () => `the error; got ${JSON.stringify(out.slice(from))}`,
        () => /E: vm not found: nosuch/.test(out.slice(from)) && prompts() > n,
      );
      term.write('quit\r');
      assert.equal(await exited, 0);
    } finally {
      term.kill();
    }
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
  });

  test('web serves the UI for a running daemon on loopback by default, and never on a wildcard address', async () => {
    const web = background('web', '--base', suite.d.base);
    try {
      const url = (await until(
        () => `the URL; got ${web.out()}`,
        () => /web UI on (http:\/\/\S+)/.exec(web.out())?.[1],
      ))!;
      const u = new URL(url);
      assert.equal(u.hostname, '127.0.0.1');
      assert.equal(u.port, '9001');
      assert.match(u.searchParams.get('token') ?? '', /^[\w-]{43}$/, '256 bits, base64url');
      const mine = socketInodes(web.proc.pid!);
      const listening = [...inetSockets()].filter(([ino, s]) => mine.has(ino) && s.state === '0A'); // TCP_LISTEN
      assert.deepEqual(
        listening.map(([, s]) => `${s.proto} ${ipv4(s.local)}`),
        ['tcp 127.0.0.1:9001'],
      );
      assert.equal(await wsStatus('127.0.0.1:9001'), 401, 'no engine access without the token');
      assert.equal(await wsStatus('127.0.0.1:9001', u.searchParams.get('token')!), 101, 'with it');
    } finally {
      assert.equal(await stop(web.proc), 0);
    }
  });

  test('no console or daemon socket is on a TCP or UDP port: the daemon and monitors hold unix sockets only', async () => {
    await suite.d.ok('vm launch container t[0-1]');
    await suite.d.ok('vm start t0');
    const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 't0')!;
    const con = await ConsoleClient.connect(c.console);
    assert.match(await con.run('echo tcp-$((1+1))'), /tcp-2/);
    const inet = inetSockets();
    const pids = [suite.d.proc.pid!, ...shimPids()];
    assert.ok(pids.length >= 3, 'the daemon, the launcher and two monitors');
    for (const pid of pids) {
      const held = [...socketInodes(pid)].filter((ino) => inet.has(ino)).map((ino) => inet.get(ino));
      assert.deepEqual(held, [], `pid ${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}) holds internet sockets`);
    }
    con.close();
    await suite.d.ok('vm kill all');
    await suite.d.ok('vm flush');
  });

  test('the daemon socket is 0660 root:nanomega: a group member connects, another user cannot', async () => {
    // The package creates the group (build/); on a bare host the test makes it for its own daemon.
    const had = spawnSync('getent', ['group', 'nanomega']).status === 0;
    if (!had) assert.equal(spawnSync('groupadd', ['--system', 'nanomega']).status, 0, 'groupadd nanomega');
    const gid = Number(spawnSync('getent', ['group', 'nanomega'], { encoding: 'utf8' }).stdout.split(':')[2]);
    const d = await startDaemon();
    try {
      const st = statSync(socketPath(d.base));
      assert.ok(st.isSocket());
      assert.equal(st.mode & 0o777, 0o660);
      assert.equal(st.uid, 0);
      assert.equal(st.gid, gid);
      chmodSync(d.base, 0o711); // the path must be searchable for anyone to reach the socket at all
      const as = (groups: string) =>
        spawnSync('setpriv', ['--reuid=65534', '--regid=65534', `--groups=${groups}`, NANOMEGA, '--base', d.base, '-e', 'vm info'], { encoding: 'utf8' });
      const member = as(String(gid));
      assert.equal(member.status, 0, `a nanomega member: ${member.stderr}`);
      const other = as('65534');
      assert.equal(other.status, 1);
      assert.match(other.stderr, /EACCES/);
    } finally {
      await d.dispose();
      if (!had) spawnSync('groupdel', ['nanomega']);
    }
  });

  test('rootfs build busybox makes a root that launches', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'nm-rootfs-'));
    const dir = join(parent, 'bb');
    try {
      const usage = nanomega('rootfs', 'build', 'busybox');
      assert.equal(usage.status, 1);
      assert.match(usage.stderr, /usage: nanomega rootfs build busybox DIR/);
      const r = nanomega('rootfs', 'build', 'busybox', dir);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `nanomega: busybox root filesystem in ${dir}\n`);
      assert.ok(statSync(join(dir, 'bin/busybox')).mode & 0o111, 'busybox is executable');
      assert.ok(statSync(join(dir, 'init')).mode & 0o111, 'init is executable');
      await suite.d.ok(`vm config filesystem ${dir}`);
      await suite.d.ok('vm launch container r0');
      await suite.d.ok('vm start r0');
      const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 'r0')!;
      const con = await ConsoleClient.connect(c.console);
      assert.equal((await con.run('echo built-$((2*21)); cat /proc/1/comm')).trim().split('\n')[0], 'built-42');
      con.close();
      await suite.d.ok('vm kill r0');
      await suite.d.ok('vm flush');
    } finally {
      await suite.d.ok(`vm config filesystem ${suite.fs.dir}`);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('nanomega start without Electron', { skip, timeout: 60_000 }, () => {
  test('starts a daemon when none answers, then serves the web UI for it', async () => {
    const pre = snapshot();
    const base = tempBase();
    const start = background('start', '--base', base, '--web', '127.0.0.1:0');
    let daemonPid = 0;
    try {
      const url = (await until(
        () => `the URL; got ${start.out()}`,
        () => /web UI on (http:\/\/\S+)/.exec(start.out())?.[1],
        30_000,
      ))!;
      assert.match(start.out(), /Electron is not installed here/);
      daemonPid = Number(/daemon started \(pid (\d+)\)/.exec(start.out())?.[1] ?? 0);
      assert.ok(daemonPid > 0, start.out());
      assert.equal(new URL(url).hostname, '127.0.0.1');
      assert.equal(await wsStatus(new URL(url).host, new URL(url).searchParams.get('token')!), 101, 'the printed token opens the engine relay');
      const info = nanomega('--base', base, '-e', 'vm info');
      assert.equal(info.status, 0, info.stderr);
      // A second start finds the daemon and starts none.
      const again = background('start', '--base', base, '--web', '127.0.0.1:0');
      await until(
        () => `the second URL; got ${again.out()}`,
        () => /web UI on/.test(again.out()),
      );
      assert.doesNotMatch(again.out(), /daemon started/);
      assert.equal(await stop(again.proc), 0);
    } finally {
      assert.equal(await stop(start.proc), 0);
      if (daemonPid) {
        process.kill(daemonPid, 'SIGTERM');
        await gone(daemonPid);
      }
      await rm(base, { recursive: true, force: true });
    }
    await assertNoLeaks(pre);
  });
});

describe('nanomega serve, stopped as scripts stop it', { skip, timeout: 60_000 }, () => {
  test('SIGTERM the moment its socket appears stops it cleanly: status 0, no socket or pid file left', async () => {
    const pre = snapshot();
    const base = tempBase();
    try {
      for (let round = 0; round < 3; round++) {
        const d = background('serve', '--base', base);
        // As `until [ -S … ]; do :; done; kill` does: the signal follows the socket within microseconds.
        const deadline = Date.now() + 30_000;
        while (!existsSync(socketPath(base)) && d.proc.exitCode === null && Date.now() < deadline);
        assert.ok(existsSync(socketPath(base)), d.out());
        assert.equal(await stop(d.proc), 0, d.out());
        for (const left of [socketPath(base), minimegaSocketPath(base), join(base, PID_FILE)]) assert.ok(!existsSync(left), `${left} left behind\n${d.out()}`);
      }
    } finally {
      await rm(base, { recursive: true, force: true });
    }
    await assertNoLeaks(pre);
  });
});
