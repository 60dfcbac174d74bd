import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerInfo } from '../../engine/api/types.js';
import { EngineClient } from '../../cli/engine-client.js';
import { FlowControl } from '../../engine/console/flow-control.js';
import { BIN, startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';
import { busyboxRoot } from '../helpers/rootfs.js';
import { until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');

/** One API client's console session: collects console.data, acks unless told not to. */
class ApiConsole {
  text = '';
  closed?: string;
  private constructor(
    readonly client: EngineClient,
    readonly session: number,
    public autoAck: boolean,
  ) {}

  static async open(base: string, id: number, opts: { ack?: boolean; cols?: number; rows?: number } = {}): Promise<ApiConsole> {
    const client = await EngineClient.connect(base);
    let con: ApiConsole | undefined;
    const early: string[] = [];
    client.on('console.data', ({ session, data }) => {
      if (!con) return void early.push(data);
      if (session !== con.session) return;
      con.text += data;
      if (con.autoAck) void client.call('console.ack', session, data.length).catch(() => undefined);
    });
    client.on('console.closed', ({ session, reason }) => {
      if (con && session === con.session) con.closed = reason;
    });
    const s = await client.call('console.open', id, opts.cols, opts.rows);
    con = new ApiConsole(client, s.session, opts.ack ?? true);
    con.text = early.join('');
    return con;
  }

  type(line: string): Promise<void> {
    return this.client.call('console.input', this.session, `${line}\n`);
  }

  /** Wait until the output since `from` matches (the shell computes markers, so our echoed input never does). */
  async waitFor(re: RegExp, from = 0, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.text.slice(from).match(re);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`console: no ${re} within ${timeoutMs} ms; got:\n${this.text.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.client.close();
  }
}

describe('consoles through the engine', { skip }, () => {
  let d: TestDaemon;
  let fs: Awaited<ReturnType<typeof busyboxRoot>>;
  let pre: HostSnapshot;
  let c: ContainerInfo;
  const info = async (name: string) => (await d.client.call('vm.info')).find((x) => x.name === name)!;

  before(async () => {
    pre = snapshot();
    fs = await busyboxRoot();
    d = await startDaemon();
    await d.ok(`vm config filesystem ${fs.dir}`);
    await d.ok('vm launch container con0');
    await d.ok('vm start con0');
    c = await info('con0');
  });

  after(async () => {
    await d?.dispose();
    await fs?.remove();
    await assertNoLeaks(pre);
  });

  test('a new client gets the scrollback first, then live output', async () => {
    const a = await ApiConsole.open(d.base, c.id);
    await a.type('echo before-$((20+1))');
    await a.waitFor(/before-21/);
    a.close();
    const b = await ApiConsole.open(d.base, c.id);
    await b.waitFor(/before-21/);
    const from = b.text.length;
    await b.type('echo after-$((20+2))');
    await b.waitFor(/after-22/, from);
    assert.ok(b.text.indexOf('before-21') < b.text.lastIndexOf('after-22'));
    b.close();
  });

  test('two clients attached to one console both see what either typed', async () => {
    const a = await ApiConsole.open(d.base, c.id);
    const b = await ApiConsole.open(d.base, c.id);
    const [fa, fb] = [a.text.length, b.text.length];
    await a.type('echo from-a-$((3*3))');
    await a.waitFor(/from-a-9/, fa);
    await b.waitFor(/from-a-9/, fb);
    await b.type('echo from-b-$((4*4))');
    await a.waitFor(/from-b-16/, fa);
    await b.waitFor(/from-b-16/, fb);
    a.close();
    b.close();
  });

  test('a client that never acks is paused without slowing the container or the other client', async () => {
    const stuck = await ApiConsole.open(d.base, c.id, { ack: false });
    const live = await ApiConsole.open(d.base, c.id);
    const from = live.text.length;
    // ~5 MB of output, far beyond the high watermark and the monitor's per-client buffer.
    await live.type('i=0; while [ $i -lt 300000 ]; do echo line-$i-xxxxxxxx; i=$((i+1)); done; echo flood-done-$((6*7))');
    await live.waitFor(/flood-done-42/, from, 300_000);
    // The stuck client stopped receiving near the high watermark (plus at most one batch in flight).
    assert.ok(stuck.text.length < FlowControl.HighWatermarkChars + 256 * 1024, `stuck client got ${stuck.text.length} chars`);
    assert.ok(!stuck.text.includes('flood-done-42'));
    // The container is still responsive.
    const f2 = live.text.length;
    await live.type('echo still-$((5+5))');
    await live.waitFor(/still-10/, f2);
    stuck.close();
    live.close();
  });

  test('resize sets the pty size the container sees; default 80x24; 0x0 is refused', async () => {
    await d.ok('vm launch container con1');
    await d.ok('vm start con1');
    const c1 = await info('con1');
    const a = await ApiConsole.open(d.base, c1.id);
    let from = a.text.length;
    await a.type('echo size-$((1))=$(stty size)');
    assert.equal((await a.waitFor(/size-1=(\d+ \d+)/, from))[1], '24 80');
    await a.client.call('console.resize', a.session, 132, 43);
    from = a.text.length;
    await a.type('echo size-$((2))=$(stty size)');
    assert.equal((await a.waitFor(/size-2=(\d+ \d+)/, from))[1], '43 132');
    await assert.rejects(a.client.call('console.resize', a.session, 0, 0), /bad console size 0x0/);
    // A client opening with a size sets it (a GUI terminal's fit).
    const b = await ApiConsole.open(d.base, c1.id, { cols: 100, rows: 30 });
    from = b.text.length;
    await b.type('echo size-$((3))=$(stty size)');
    assert.equal((await b.waitFor(/size-3=(\d+ \d+)/, from))[1], '30 100');
    a.close();
    b.close();
  });

  test('SIGWINCH reaches the container on resize', async () => {
    const a = await ApiConsole.open(d.base, c.id);
    const from = a.text.length;
    // A foreground child (the pty's foreground process group gets SIGWINCH) that reports it.
    await a.type(`sh -c "trap 'echo winch-\\$((40+2)); exit 0' WINCH; echo armed-\\$((1+1)); while :; do sleep 0.1; done"`);
    await a.waitFor(/armed-2/, from);
    await a.client.call('console.resize', a.session, 90, 30);
    await a.waitFor(/winch-42/, from);
    await a.client.call('console.resize', a.session, 80, 24);
    a.close();
  });

  test('errors: unknown container, stopped container, foreign session', async () => {
    const a = await ApiConsole.open(d.base, c.id);
    await assert.rejects(a.client.call('console.open', 9999), /vm not found: 9999/);
    const other = await EngineClient.connect(d.base);
    await assert.rejects(other.call('console.input', a.session, 'x'), /no console session/);
    other.close();
    await d.ok('vm launch container con2');
    await d.ok('vm kill con2');
    await assert.rejects(a.client.call('console.open', (await info('con2')).id), /con2 is not running \(QUIT\)/);
    a.close();
  });

  test("a disconnected client's console streams are closed", async () => {
    const fdDir = `/proc/${d.proc.pid}/fd`;
    // Sockets only: the sampler's kept-open cgroup files come and go with containers.
    const fds = () =>
      readdirSync(fdDir).filter((f) => {
        try {
          return readlinkSync(join(fdDir, f)).startsWith('socket:');
        } catch {
          return false;
        }
      }).length;
    // Let the sockets of earlier tests' clients finish closing first.
    let last = -1;
    await until('socket count to settle', async () => {
      const now = fds();
      const settled = now === last;
      last = now;
      return settled || undefined;
    });
    const client = await EngineClient.connect(d.base);
    const before = fds();
    for (let i = 0; i < 5; i++) await client.call('console.open', c.id);
    const open = fds();
    assert.ok(open >= before + 5, `each stream is one monitor connection (${before} → ${open})`);
    client.close();
    // The 5 streams and the client's own connection go (earlier tests' sockets may close too).
    await until('streams closed', () => fds() <= open - 6);
  });

  test('fifos are readable and writable from both ends, driven through the engine console', async () => {
    await d.ok('vm config fifos 1');
    await d.ok('vm launch container fifo0');
    await d.ok('vm start fifo0');
    await d.ok('clear vm config fifos');
    const f = await info('fifo0');
    const a = await ApiConsole.open(d.base, f.id);
    // container → host
    await a.type('echo to-host-$((2*2)) > /dev/fifos/fifo0 &');
    const rd = await open(join(f.dir, 'fifo0'), 'r');
    assert.equal((await rd.readFile('utf8')).trim(), 'to-host-4');
    await rd.close();
    // host → container
    const from = a.text.length;
    await a.type('read line < /dev/fifos/fifo0; echo got-$((1+1))=$line');
    const wr = await open(join(f.dir, 'fifo0'), 'w');
    await wr.writeFile('from-host\n');
    await wr.close();
    assert.equal((await a.waitFor(/got-2=(\S+)/, from))[1], 'from-host');
    a.close();
  });

  test('after kill -9 of the daemon and a restart, the console shows the old screen and takes input', async () => {
    const a = await ApiConsole.open(d.base, c.id);
    await a.type('echo old-screen-$((100+23))');
    await a.waitFor(/old-screen-123/);
    a.close();
    await d.crash();
    await d.restart();
    const b = await ApiConsole.open(d.base, c.id);
    await b.waitFor(/old-screen-123/);
    const from = b.text.length;
    await b.type('echo new-$((100+24))');
    await b.waitFor(/new-124/, from);
    b.close();
  });

  test('nanomega console NAME in a real terminal: prompt, input, resize, Ctrl-] detach', { skip: requires('pty') }, async () => {
    const pty = await import('node-pty');
    const term = pty.spawn(process.execPath, [BIN, '--base', d.base, 'console', 'con0'], { cols: 80, rows: 24, name: 'xterm' });
    let out = '';
    term.onData((s) => (out += s));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    const wait = (re: RegExp, from = 0) => until(`${re} on the terminal; got:\n${out.slice(-1500)}`, () => out.slice(from).match(re) ?? undefined);
    await wait(/attached to con0; Ctrl-] detaches/);
    let from = out.length;
    term.write('echo hi-$((6*7))\r');
    await wait(/hi-42/, from);
    term.resize(101, 33);
    from = out.length;
    term.write('echo sz-$((9))=$(stty size)\r');
    assert.equal((await wait(/sz-9=(\d+ \d+)/, from))[1], '33 101');
    term.write('\x1d');
    assert.equal(await exited, 0);
    assert.match(out, /detached from con0/);

    const missing = pty.spawn(process.execPath, [BIN, '--base', d.base, 'console', 'nosuch'], { cols: 80, rows: 24 });
    let mOut = '';
    missing.onData((s) => (mOut += s));
    const code = await new Promise<number>((r) => missing.onExit(({ exitCode }) => r(exitCode)));
    assert.notEqual(code, 0);
    assert.match(mOut, /vm not found: nosuch/);
  });

  test('after kill -9 of the daemon, nanomega console NAME shows the old screen and works', { skip: requires('pty') }, async () => {
    const a = await ApiConsole.open(d.base, c.id);
    await a.type('echo before-crash-$((300+3))');
    await a.waitFor(/before-crash-303/);
    a.close();
    await d.crash();
    await d.restart();
    const pty = await import('node-pty');
    const term = pty.spawn(process.execPath, [BIN, '--base', d.base, 'console', 'con0'], { cols: 80, rows: 24, name: 'xterm' });
    let out = '';
    term.onData((s) => (out += s));
    const exited = new Promise<number>((r) => term.onExit(({ exitCode }) => r(exitCode)));
    await until('old screen', () => /before-crash-303/.test(out) || undefined);
    const from = out.length;
    term.write('echo after-crash-$((300+4))\r');
    await until('new output', () => /after-crash-304/.test(out.slice(from)) || undefined);
    term.write('\x1d');
    assert.equal(await exited, 0);
  });
});
