// Real containers through the shim: a tiny busybox rootfs, launched by ShimLaunch without
// cgroups (spawned, or forked by the launcher), driven PID → MOUNTED → CONTINUE → READY → EXEC,
// then attacked from the console.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { EngineError } from '../../engine/errors.js';
import { statFields } from '../../engine/host/proc-stat.js';
import { ShimControl, readExitRecord } from '../../engine/shim/control-client.js';
import { ShimLauncher } from '../../engine/shim/launcher.js';
import type { ShimNic } from '../../engine/shim/protocol.js';
import { ShimLaunch, type ShimBootstrap } from '../../engine/shim/shim-process.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { alive, gone, until } from '../helpers/wait.js';

const skip = requires('root', 'shim', 'busybox', 'overlay');
const DEFAULT_CAPS = '00000000a80435fb'; // Docker's 14 + NET_ADMIN
const APPLETS = ['sh', 'cat', 'ls', 'hostname', 'ps', 'stty', 'echo', 'sleep', 'tty', 'grep', 'wc', 'touch', 'id', 'test', '['];

let base = '';
let rootfs = '';
let volSrc = '';
let rwSrc = '';
/** Host preinit programs, outside the rootfs and the instance dirs (places the containers write). */
let preDir = '';
let seq = 0;
let pre: HostSnapshot | undefined;
const started: number[] = [];

/** Wait until `pid` is gone. */
const waitGone = (pid: number, ms = 5000): Promise<boolean> => gone(pid, ms);

/** Open descriptors of a process. */
const fdCount = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

function boot(over: Partial<ShimBootstrap> = {}): ShimBootstrap {
  const dir = join(base, `c${++seq}`);
  mkdirSync(dir);
  return {
    id: seq,
    name: `c${seq}`,
    dir,
    rootfs,
    snapshot: false,
    hostname: `box${seq}`,
    uuid: '2a0c6b3e-0000-4000-8000-00000000000' + (seq % 10),
    init: ['/init'],
    env: ['PATH=/bin', 'TERM=xterm', 'HOME=/', 'container=nanomega'],
    preinit: '',
    fifos: 1,
    volumes: [],
    cgroups: [],
    caps: [],
    cols: 80,
    rows: 24,
    scrollback: 65536,
    ...over,
  };
}

/** Between MOUNTED and CONTINUE, as the engine makes veths: `nics` go in CONTINUE. */
interface Net {
  setup?: (initPid: number) => void;
  nics?: ShimNic[];
}

/** Launch through the whole handshake; returns once init has been exec'd. */
async function launch(b: ShimBootstrap, net: Net = {}): Promise<{ l: ShimLaunch; initPid: number; monitorPid: number }> {
  const l = ShimLaunch.spawn(b);
  const pids = await l.pids();
  started.push(pids.monitorPid, pids.initPid);
  assert.ok(existsSync(`/proc/${pids.initPid}/ns/net`));
  await l.mounted();
  net.setup?.(pids.initPid);
  l.continue(net.nics);
  await l.ready();
  l.exec();
  return { l, ...pids };
}

/** A console client that accumulates output. */
class Console {
  out = '';
  readonly sock: Socket;
  constructor(dir: string) {
    this.sock = connect(join(dir, 'console'));
    this.sock.on('data', (d: Buffer) => (this.out += d.toString('utf8')));
    this.sock.on('error', () => {});
  }
  type(line: string): void {
    this.sock.write(line + '\n');
  }
  async waitFor(re: RegExp, ms = 5000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (Date.now() > end) throw new Error(`console: no ${re} in ${JSON.stringify(this.out.slice(-2000))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  close(): void {
    this.sock.destroy();
  }
}

before(() => {
  if (skip) return;
  base = mkdtempSync(join(tmpdir(), 'nm-shim-'));
  rootfs = join(base, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['etc', 'tmp', 'mnt', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d));
  copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  chmodSync(join(rootfs, 'bin/busybox'), 0o755);
  for (const a of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'init'), '#!/bin/sh\necho init-up-$((20+1))\nexec sh\n', { mode: 0o755 });
  // preinit is a host program (run before pivot_root with the host's /bin/sh); each writes next to itself.
  preDir = mkdtempSync(join(tmpdir(), 'nm-shim-pre-'));
  chmodSync(preDir, 0o755);
  const hostScript = (name: string, body: string) => writeFileSync(join(preDir, name), `#!/bin/sh\nd=$(dirname "$1")\n${body}\n`, { mode: 0o755 });
  hostScript(
    'preinit',
    [
      'grep CapEff /proc/self/status > "$d/preinit.out"',
      'echo "arg1=$1" >> "$d/preinit.out"',
      'echo "netns=$(readlink /proc/self/ns/net)" >> "$d/preinit.out"',
      'echo 1 > /proc/sys/net/ipv4/ip_forward && echo "forward=$(cat /proc/sys/net/ipv4/ip_forward)" >> "$d/preinit.out"',
      '[ -e /init ] || echo "host-root" >> "$d/preinit.out"',
    ].join('\n'),
  );
  // Runs after the child set up the NICs: veth0 is up and has its address (host `ip` in the container's netns).
  hostScript('preinit-net', 'ip -o link show veth0 | grep -q "[<,]UP[,>]" && grep -q 10.199.9.1 /proc/net/fib_trie && echo up > "$d/preinit-net.out"');
  hostScript('preinit-fail', 'echo "cannot route: no uplink" >&2\nexit 3');
  // Leaves processes behind, one of them detached into its own session: all are killed before init.
  hostScript('preinit-bg', 'sleep 1000 &\nsetsid sleep 1001 < /dev/null > /dev/null 2>&1 &\necho started');
  writeFileSync(join(rootfs, 'noexec'), '#!/bin/sh\n', { mode: 0o644 });
  volSrc = join(base, 'vol');
  mkdirSync(volSrc);
  writeFileSync(join(volSrc, 'hello.txt'), 'vol-content\n');
  rwSrc = join(base, 'rw');
  mkdirSync(rwSrc);
});

after(() => {
  if (base) rmSync(base, { recursive: true, force: true });
  if (preDir) rmSync(preDir, { recursive: true, force: true });
});

beforeEach(() => {
  if (skip) return;
  pre = snapshot();
});

afterEach(async () => {
  if (skip || !pre) return;
  // Kill only what we started, then prove nothing leaked.
  for (const pid of started.splice(0)) {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    assert.ok(await waitGone(pid), `pid ${pid} still alive`);
  }
  await assertNoLeaks(pre);
});

test('init is PID 1 with hostname, console, scrollback, resize, fifo, volumes, caps and an exit record', { skip }, async () => {
  const b = boot({
    volumes: [
      { src: volSrc, dst: '/mnt/vol', readonly: true },
      { src: rwSrc, dst: '/mnt/new/rw', readonly: false },
    ],
  });
  const { l, initPid } = await launch(b);
  const con = new Console(b.dir);
  await con.waitFor(/init-up-21/);
  con.type('echo hi-$((6*7))');
  await con.waitFor(/hi-42/);

  con.type('echo me-$$ procs-$(ls -d /proc/[0-9]* | wc -l) host-$(hostname)');
  const m = await con.waitFor(/me-(\d+) procs-(\d+) host-(\S+)/);
  assert.equal(m[1], '1', 'init shell is PID 1');
  assert.ok(Number(m[2]) <= 5, `only the container's processes in /proc (${m[2]})`);
  assert.equal(m[3], b.hostname);
  con.type('ps');
  await con.waitFor(/PID\s+USER\s+COMMAND[\s\S]*\n\s+1 0\s+sh/);

  con.type('[ -c /dev/console ] && tty -s </dev/console && echo con-$((1+1))tty');
  await con.waitFor(/con-2tty/);

  // A second client gets the scrollback, then the same live output.
  const con2 = new Console(b.dir);
  await con2.waitFor(/hi-42/);
  con.type('echo both-$((5+5))');
  await con.waitFor(/both-10/);
  await con2.waitFor(/both-10/);
  con2.type('echo from2-$((3+3))');
  await con.waitFor(/from2-6/);

  const ctl = await ShimControl.connect(b.dir);
  assert.equal(ctl.hello.initPid, initPid);
  assert.equal(ctl.hello.phase, 'running');
  ctl.resize(100, 40);
  // RESIZE has no answer: ask until the shell sees the new size.
  let asked = 0;
  await until('stty size 40x100', async () => {
    const mark = `size${++asked}-`;
    con.type(`echo ${mark}$(stty size | tr " " x)`);
    const m = await con.waitFor(new RegExp(`${mark}(\\d+x\\d+)`));
    return m[1] === '40x100';
  });

  // fifo: host → container, container → host.
  con.type('cat /dev/fifos/fifo0 &');
  await writeFile(join(b.dir, 'fifo0'), 'to-container\n');
  await con.waitFor(/to-container/);
  const fromCt = readFile(join(b.dir, 'fifo0'), 'utf8');
  con.type('echo from-$((2+2))ct > /dev/fifos/fifo0');
  assert.equal(await fromCt, 'from-4ct\n');

  con.type('cat /mnt/vol/hello.txt; touch /mnt/vol/x 2>/dev/null || echo ro-$((2*2)); echo w > /mnt/new/rw/made');
  await con.waitFor(/vol-content/);
  await con.waitFor(/ro-4/);
  await until('the rw volume write to reach the host', () => existsSync(join(rwSrc, 'made')));

  con.type('grep -E "Cap(Bnd|Eff|Prm|Inh|Amb)" /proc/self/status');
  await con.waitFor(new RegExp(`CapPrm:\\s+${DEFAULT_CAPS}`));
  await con.waitFor(new RegExp(`CapEff:\\s+${DEFAULT_CAPS}`));
  await con.waitFor(new RegExp(`CapBnd:\\s+${DEFAULT_CAPS}`));
  await con.waitFor(/CapAmb:\s+0000000000000000/);

  const exitSeen = new Promise((r) => ctl.onExit(r));
  const closed = new Promise<void>((r) => ctl.onClose(r));
  process.kill(initPid, 'SIGKILL');
  assert.match(await l.exited(), /^signal=9\ntime=\d+\n$/);
  assert.equal(((await exitSeen) as { signal?: number }).signal, 9);
  await closed;
  const rec = await readExitRecord(b.dir);
  assert.equal(rec?.signal, 9);
  assert.ok(rec?.time && Math.abs(rec.time - Date.now()) < 60_000);
  assert.ok(!existsSync(join(b.dir, 'console')) && !existsSync(join(b.dir, 'control')), 'sockets removed');
  con.close();
  con2.close();
});

test('snapshot=1 writes land in <dir>/upper, not in the rootfs', { skip }, async () => {
  const b = boot({ snapshot: true });
  const { l } = await launch(b);
  const con = new Console(b.dir);
  con.type('echo snap > /snapfile; echo done-$((9*9))');
  await con.waitFor(/done-81/);
  assert.equal(readFileSync(join(b.dir, 'upper', 'snapfile'), 'utf8'), 'snap\n');
  assert.ok(!existsSync(join(rootfs, 'snapfile')));
  con.type('exit 7');
  assert.match(await l.exited(), /^code=7\n/);
  assert.equal((await readExitRecord(b.dir))?.code, 7);
  con.close();
});

/** Pids (host view) of every process in the PID namespace of `initPid`. */
function pidNamespaceMembers(initPid: number): number[] {
  const ns = readlinkSync(`/proc/${initPid}/ns/pid`);
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readlinkSync(`/proc/${e}/ns/pid`) === ns) out.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

test('preinit is a host program run with full privileges in the container netns, before pivot_root', { skip }, async () => {
  const forwardBefore = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  const b = boot({ snapshot: true, preinit: join(preDir, 'preinit') });
  const { l, initPid } = await launch(b);
  const out = readFileSync(join(preDir, 'preinit.out'), 'utf8');
  assert.match(out, /CapEff:\s+[0-9a-f]+/);
  assert.doesNotMatch(out, new RegExp(DEFAULT_CAPS), 'preinit has more than the container');
  assert.match(out, new RegExp(`arg1=${join(preDir, 'preinit')}\n`), '$1 is its own path');
  assert.match(out, new RegExp(`netns=${readlinkSync(`/proc/${initPid}/ns/net`).replace(/[[\]]/g, '\\$&')}\n`), 'in the container netns');
  assert.match(out, /forward=1\n/);
  assert.match(out, /host-root\n/, 'before pivot_root: / is the host root');
  assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), forwardBefore, 'host forwarding unchanged');
  const inside = execFileSync('nsenter', [`--net=/proc/${initPid}/ns/net`, '--', 'cat', '/proc/sys/net/ipv4/ip_forward'], { encoding: 'utf8' });
  assert.equal(inside, '1\n', 'forwarding on in the container');
  l.abort();
  assert.match(await l.exited(), /^signal=9/);
});

test('whatever preinit leaves running is killed before the caps drop', { skip }, async () => {
  const b = boot({ preinit: join(preDir, 'preinit-bg') });
  const { l, initPid } = await launch(b);
  assert.deepEqual(pidNamespaceMembers(initPid), [initPid], 'only init is left in the PID namespace');
  const con = new Console(b.dir);
  await con.waitFor(/started/); // preinit's output went to the console
  con.close();
  l.abort();
  await l.exited();
});

test('a preinit the shim refuses is a clean ERROR naming the path', { skip }, async () => {
  writeFileSync(join(preDir, 'ww'), '#!/bin/sh\n', { mode: 0o777 });
  chmodSync(join(preDir, 'ww'), 0o777);
  const e1 = await launchError(boot({ preinit: join(preDir, 'ww') }));
  assert.equal(e1.message, `preinit \`${join(preDir, 'ww')}\` is writable by group or others (mode 0777)`);
  symlinkSync('preinit', join(preDir, 'sl'));
  const e2 = await launchError(boot({ preinit: join(preDir, 'sl') }));
  assert.equal(e2.message, `preinit \`${join(preDir, 'sl')}\`: \`${join(preDir, 'sl')}\` is a symlink (give the real path)`);
  const e3 = await launchError(boot({ preinit: join(preDir, 'missing') }));
  assert.equal(e3.message, `preinit \`${join(preDir, 'missing')}\`: open \`${join(preDir, 'missing')}\`: No such file or directory`);
  // A file the container can write (here: in its filesystem, run with snapshot=0) never runs.
  writeFileSync(join(rootfs, 'own-preinit'), '#!/bin/sh\n', { mode: 0o755 });
  const e4 = await launchError(boot({ snapshot: false, preinit: join(rootfs, 'own-preinit') }));
  assert.match(e4.message, /is inside `.*`, which the container can write$/);
  rmSync(join(rootfs, 'own-preinit'));
});

async function launchError(b: ShimBootstrap, net: Net = {}): Promise<EngineError> {
  const l = ShimLaunch.spawn(b);
  const pids = await l.pids();
  started.push(pids.monitorPid, pids.initPid);
  await l.mounted();
  net.setup?.(pids.initPid);
  l.continue(net.nics);
  const e = await l.ready().then(
    () => assert.fail('expected an ERROR'),
    (e: unknown) => e,
  );
  assert.ok(e instanceof EngineError);
  assert.equal(e.code, 'E_SHIM');
  assert.ok(await waitGone(pids.monitorPid), 'monitor exits after ERROR');
  assert.ok(!existsSync(join(b.dir, 'console')) && !existsSync(join(b.dir, 'control')));
  assert.ok(!existsSync(join(b.dir, 'exit')));
  return e;
}

test('a failing preinit is a clean ERROR with the tail of its output', { skip }, async () => {
  const path = join(preDir, 'preinit-fail');
  const e = await launchError(boot({ preinit: path }));
  assert.equal(e.message, `preinit \`${path}\` exited with status 3: cannot route: no uplink`);
});

test('a missing or non-executable init is a clean ERROR', { skip }, async () => {
  const e1 = await launchError(boot({ init: ['/nope'] }));
  assert.equal(e1.message, 'init `/nope`: No such file or directory');
  assert.equal(e1.detail.errno, 2);
  const e2 = await launchError(boot({ init: ['/noexec'] }));
  assert.equal(e2.message, 'init `/noexec`: Permission denied');
  assert.equal(e2.detail.errno, 13);
});

/** `ip -j addr show` inside the container's netns: ifname → [flags, addresses]. */
function addresses(initPid: number): Map<string, { up: boolean; addrs: string[] }> {
  const out = execFileSync('nsenter', [`--net=/proc/${initPid}/ns/net`, '--', 'ip', '-j', 'addr', 'show'], { encoding: 'utf8' });
  const links = JSON.parse(out) as { ifname: string; flags: string[]; addr_info: { local: string; prefixlen: number; scope: string }[] }[];
  return new Map(
    links.map((l) => [l.ifname, { up: l.flags.includes('UP'), addrs: l.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`) }]),
  );
}

/** A veth pair with both ends in the container's netns (nothing on the host to clean up). */
const vethPair = (initPid: number) =>
  execFileSync('ip', ['link', 'add', 'veth0', 'netns', String(initPid), 'type', 'veth', 'peer', 'name', 'veth1', 'netns', String(initPid)]);

test('the child brings lo up always, and the NICs of CONTINUE up with their addresses (v4 and v6)', { skip: skip || requires('ipv6') }, async () => {
  const plain = boot();
  const a = await launch(plain);
  const lo = addresses(a.initPid).get('lo');
  assert.ok(lo?.up && lo.addrs.includes('127.0.0.1/8'), JSON.stringify(lo));
  a.l.abort();
  await a.l.exited();

  const b = boot({ preinit: join(preDir, 'preinit-net'), snapshot: true });
  const nics = [
    { ifname: 'veth0', ip: '10.199.9.1/24' },
    { ifname: 'veth1', ip: 'fd00:199::2/64' },
  ];
  const c = await launch(b, { setup: vethPair, nics });
  const seen = addresses(c.initPid);
  assert.deepEqual(seen.get('veth0'), { up: true, addrs: ['10.199.9.1/24'] });
  assert.deepEqual(seen.get('veth1'), { up: true, addrs: ['fd00:199::2/64'] });
  // preinit ran after the NICs were up: it saw its address.
  assert.equal(readFileSync(join(preDir, 'preinit-net.out'), 'utf8'), 'up\n');
  c.l.abort();
  await c.l.exited();
});

test('a NIC the child cannot set up is a clean ERROR naming the interface and the address', { skip }, async () => {
  const e1 = await launchError(boot(), { nics: [{ ifname: 'nope0', ip: '' }] });
  assert.equal(e1.message, 'interface `nope0`: No such device');
  const e2 = await launchError(boot(), {
    setup: vethPair,
    nics: [
      { ifname: 'veth0', ip: '10.199.9.1/24' },
      { ifname: 'veth0', ip: '10.199.9.1/24' },
    ],
  });
  assert.match(e2.message, /^add address `10\.199\.9\.1\/24` to `veth0`(: .*)?$/);
  assert.equal(e2.detail.errno, 17);
  const e3 = await launchError(boot(), { nics: [{ ifname: 'veth0', ip: '10.1.2.3/40' }] });
  assert.equal(e3.message, 'continue: nic `veth0`: bad address `10.1.2.3/40`');
});

test('a bad bootstrap is an ERROR before anything is made', { skip }, async () => {
  const b = boot({ rootfs: join(base, 'missing') });
  const l = ShimLaunch.spawn(b);
  const pids = await l.pids();
  started.push(pids.monitorPid, pids.initPid);
  await assert.rejects(l.mounted(), /bind mount rootfs|stat rootfs/);
});

test('ABORT or engine death before EXEC kills the child and cleans up', { skip }, async () => {
  const b = boot();
  const l = ShimLaunch.spawn(b);
  const { monitorPid, initPid } = await l.pids();
  started.push(monitorPid, initPid);
  await l.mounted();
  l.continue();
  await l.ready();
  l.abort();
  assert.ok(await waitGone(initPid));
  assert.ok(await waitGone(monitorPid));
  assert.ok(!existsSync(join(b.dir, 'exit')) && !existsSync(join(b.dir, 'console')));

  const b2 = boot();
  const l2 = ShimLaunch.spawn(b2);
  const p2 = await l2.pids();
  started.push(p2.monitorPid, p2.initPid);
  await l2.mounted();
  l2.release(); // the engine "dies" mid-launch
  assert.ok(await waitGone(p2.initPid));
  assert.ok(await waitGone(p2.monitorPid));
  assert.ok(!existsSync(join(b2.dir, 'control')));
});

test('the monitor keeps running after the engine drops fd 3; reattach through control + console', { skip }, async () => {
  const b = boot();
  const { l, monitorPid, initPid } = await launch(b);
  const con = new Console(b.dir);
  con.type('echo before-$((1+2))');
  await con.waitFor(/before-3/);
  con.close();
  const fds = fdCount(monitorPid);
  l.release();
  // The monitor closes its end of the sync socket once it read the EOF: then it has decided.
  await until('the monitor to close the sync socket', () => fdCount(monitorPid) < fds);
  assert.ok(alive(monitorPid) && alive(initPid), 'monitor and init survive the engine');

  const ctl = await ShimControl.connect(b.dir);
  assert.deepEqual(ctl.hello, { monitorPid, initPid, phase: 'running' });
  const con2 = new Console(b.dir);
  await con2.waitFor(/before-3/); // scrollback
  con2.type('echo after-$((2+3))');
  await con2.waitFor(/after-5/);
  const rec = new Promise((r) => ctl.onExit(r));
  con2.type('exit 0');
  assert.deepEqual(Object.keys((await rec) as object).sort(), ['code', 'time']);
  assert.equal((await readExitRecord(b.dir))?.code, 0);
  assert.ok(await waitGone(monitorPid));
  con2.close();
});

/** Fields of /proc/<pid>/stat after the command: [state, ppid, pgrp, session, ...]. */
function procStatFields(pid: number): string[] {
  return statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

test('through the launcher: attach, handshake, console; the monitor outlives a killed launcher', { skip }, async () => {
  const launcher = await ShimLauncher.start({ base });
  const launcherPid = launcher.pid!;
  try {
    const b = boot();
    const l = ShimLaunch.attach(b, await launcher.launch(b.dir));
    const { monitorPid, initPid } = await l.pids();
    started.push(monitorPid, initPid);
    assert.equal(l.monitorPid, monitorPid, 'monitorPid comes from the PID frame');

    // The launcher's child (one fork, reaped by the kernel: SA_NOCLDWAIT), never ours; its own session, like a fresh exec.
    const [, ppid, , sid] = procStatFields(monitorPid);
    assert.equal(Number(ppid), launcherPid);
    assert.equal(Number(sid), monitorPid, 'setsid');
    assert.equal(readFileSync(`/proc/${monitorPid}/comm`, 'utf8').trim(), 'nanomega-shim');
    assert.match(readFileSync(`/proc/${monitorPid}/cmdline`, 'utf8'), /^nanomega-shim\0/);
    assert.equal(readFileSync(`/proc/${launcherPid}/comm`, 'utf8').trim(), 'nm-launcher');
    assert.doesNotMatch(readFileSync(`/proc/${launcherPid}/cmdline`, 'utf8'), /nanomega-shim/);
    assert.equal(readlinkSync(`/proc/${monitorPid}/fd/0`), '/dev/null', "the launcher's stdin is not held");
    assert.equal(readlinkSync(`/proc/${monitorPid}/fd/2`), join(b.dir, 'shim.log'));
    const status = readFileSync(`/proc/${monitorPid}/status`, 'utf8');
    assert.match(status, /SigIgn:\s+0000000000001001/, 'only SIGHUP and SIGPIPE ignored');
    assert.match(status, /SigBlk:\s+0000000000010000/, 'only SIGCHLD blocked (signalfd)');

    await l.mounted();
    l.continue();
    await l.ready();
    l.exec();
    const con = new Console(b.dir);
    await con.waitFor(/init-up-21/);
    con.type('echo hi-$((6*7)) me-$$');
    await con.waitFor(/hi-42 me-1/);

    process.kill(launcherPid, 'SIGKILL');
    assert.ok(await waitGone(launcherPid));
    con.type('echo after-$((2+3))');
    await con.waitFor(/after-5/);
    assert.ok(alive(monitorPid) && alive(initPid), 'monitor and init survive the launcher');
    assert.notEqual(Number(procStatFields(monitorPid)[1]), launcherPid, 'orphaned when the launcher ends');

    // The next launch starts a new launcher.
    const b2 = boot();
    const l2 = ShimLaunch.attach(b2, await launcher.launch(b2.dir));
    const p2 = await l2.pids();
    started.push(p2.monitorPid, p2.initPid);
    assert.ok(launcher.pid && launcher.pid !== launcherPid);
    await l2.mounted();
    l2.abort(); // rollback path: the monitor kills the child and exits
    assert.ok(await waitGone(p2.initPid));
    assert.ok(await waitGone(p2.monitorPid));
    assert.ok(!existsSync(join(b2.dir, 'control')));

    con.type('exit 5');
    assert.match(await l.exited(), /^code=5\ntime=\d+\n$/);
    assert.equal((await readExitRecord(b.dir))?.code, 5);
    assert.ok(await waitGone(monitorPid));
    con.close();
  } finally {
    const second = launcher.pid;
    launcher.close();
    if (second) assert.ok(await waitGone(second), 'the launcher exits on EOF');
  }
  assert.ok(!existsSync(join(base, 'launch.sock')));
});

test('a launcher-forked shim reports a bad bootstrap as ERROR; an unknown directory never attaches', { skip }, async () => {
  const launcher = await ShimLauncher.start({ base, attachTimeoutMs: 1000 });
  try {
    const b = boot({ rootfs: join(base, 'missing') });
    const l = ShimLaunch.attach(b, await launcher.launch(b.dir));
    const pids = await l.pids();
    started.push(pids.monitorPid, pids.initPid);
    await assert.rejects(l.mounted(), /bind mount rootfs|stat rootfs/);
    assert.ok(await waitGone(pids.monitorPid));
    // shim.log cannot be opened: the monitor gives up before attaching (said on the launcher's stderr).
    await assert.rejects(launcher.launch(join(base, 'no-such-dir')), /did not attach/);
  } finally {
    launcher.close();
  }
});

/** Where the cgroup2 hierarchy, or the v1 freezer, is mounted; undefined without one. */
function cgroupMount(kind: 'cgroup2' | 'freezer'): string | undefined {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const [fstype, , opts] = post.split(' ');
    if (kind === 'cgroup2' ? fstype === 'cgroup2' : fstype === 'cgroup' && opts!.split(',').includes('freezer')) return pre.split(' ')[4];
  }
  return undefined;
}

for (const mode of ['v2', 'v1'] as const) {
  const mount = cgroupMount(mode === 'v2' ? 'cgroup2' : 'freezer');
  test(
    `with freeze (${mode}), the monitor freezes the cgroup and says READY "frozen"; ABORT thaws what it froze`,
    { skip: skip || requires(mode === 'v2' ? 'cgroup2' : 'v1-freezer') },
    async () => {
      const dir = join(mount!, `nm-shimtest-${process.pid}-${mode}`);
      const frozenNow = () =>
        mode === 'v2'
          ? /^frozen 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'))
          : readFileSync(join(dir, 'freezer.state'), 'utf8').trim() === 'FROZEN';
      const thaw = () => writeFileSync(join(dir, mode === 'v2' ? 'cgroup.freeze' : 'freezer.state'), mode === 'v2' ? '0' : 'THAWED');
      mkdirSync(dir);
      try {
        const b = boot({ cgroups: [dir], freeze: { mode, dir } });
        const l = ShimLaunch.spawn(b);
        const { monitorPid, initPid } = await l.pids();
        started.push(monitorPid, initPid);
        await l.mounted();
        l.continue();
        assert.deepEqual(await l.ready(), { frozen: true });
        assert.ok(frozenNow(), 'frozen before READY');
        l.exec();
        // The monitor forwards EXEC and says `running` from then on; the child cannot act on it frozen.
        await until('the monitor to pass EXEC on', async () => {
          const ctl = await ShimControl.connect(b.dir);
          ctl.close();
          return ctl.hello.phase === 'running';
        });
        // The monitor runs from a sealed memfd copy of the shim (`/memfd:nanomega-shim (deleted)`).
        assert.ok(readlinkSync(`/proc/${initPid}/exe`).includes('nanomega-shim'), "init has not been exec'd");
        assert.ok(!existsSync(join(b.dir, 'exit')) && frozenNow(), 'still frozen');
        thaw();
        const con = new Console(b.dir);
        await con.waitFor(/init-up-21/);
        con.close();
        process.kill(initPid, 'SIGKILL');
        assert.match(await l.exited(), /^signal=9/);
        assert.ok(await waitGone(monitorPid));

        // autoexec (a launch with NICs): CONTINUE from the engine, but EXEC from the monitor once frozen.
        const b3 = boot({ cgroups: [dir], freeze: { mode, dir }, autoexec: true });
        const l3 = ShimLaunch.spawn(b3);
        const p3 = await l3.pids();
        started.push(p3.monitorPid, p3.initPid);
        await l3.mounted();
        l3.continue();
        assert.deepEqual(await l3.ready(), { frozen: true });
        const ctl3 = await l3.control();
        l3.release();
        assert.equal(ctl3.hello.phase, 'running', 'the monitor handed EXEC itself');
        assert.ok(frozenNow() && readlinkSync(`/proc/${p3.initPid}/exe`).includes('nanomega-shim'), "frozen, not exec'd yet");
        thaw();
        const con3 = new Console(b3.dir);
        await con3.waitFor(/init-up-21/);
        con3.close();
        const gone3 = new Promise((r) => ctl3.onExit(r));
        process.kill(p3.initPid, 'SIGKILL');
        await gone3;
        ctl3.close();
        assert.ok(await waitGone(p3.monitorPid));

        // Frozen, then aborted before EXEC: the monitor kills the child and thaws (v1 needs it).
        const b2 = boot({ cgroups: [dir], freeze: { mode, dir } });
        const l2 = ShimLaunch.spawn(b2);
        const p2 = await l2.pids();
        started.push(p2.monitorPid, p2.initPid);
        await l2.mounted();
        l2.continue();
        assert.deepEqual(await l2.ready(), { frozen: true });
        l2.abort();
        assert.ok(await waitGone(p2.initPid), 'the frozen child died');
        assert.ok(await waitGone(p2.monitorPid));
        assert.ok(!frozenNow(), 'thawed');
      } finally {
        for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
        if (existsSync(dir)) thaw();
        for (const pid of started) await waitGone(pid);
        // The kernel may still count the last task for a moment after it was reaped.
        await until(`${dir} to empty`, () => readFileSync(join(dir, 'cgroup.procs'), 'utf8') === '');
        rmdirSync(dir);
      }
    },
  );
}

test('a freeze that cannot be done is a clean ERROR naming the file', { skip }, async () => {
  const missing = join(base, 'no-such-cgroup');
  const e = await launchError(boot({ freeze: { mode: 'v2', dir: missing } }));
  assert.equal(e.message, `open \`${missing}/cgroup.events\`: No such file or directory`);
  const e1 = await launchError(boot({ freeze: { mode: 'v1', dir: missing } }));
  assert.equal(e1.message, `open \`${missing}/freezer.state\`: No such file or directory`);
});
