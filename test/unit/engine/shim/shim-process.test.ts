// ShimLaunch over a stand-in monitor (the other end of a unix socket, no root): the handshake
// frames in order, and READY's payload saying whether the monitor froze the cgroup.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameReader, ShimMsg, encodeFrame, type Frame } from '../../../../engine/shim/protocol.js';
import { ShimLaunch, type ShimBootstrap } from '../../../../engine/shim/shim-process.js';

let base = '';
before(() => void (base = mkdtempSync(join(tmpdir(), 'nm-shimproc-'))));
after(() => rmSync(base, { recursive: true, force: true }));

const boot: ShimBootstrap = {
  id: 1,
  name: 'c1',
  dir: '/run/nm/1',
  rootfs: '/r',
  snapshot: false,
  hostname: 'c1',
  uuid: 'u',
  init: ['/init'],
  env: [],
  preinit: '',
  fifos: 0,
  volumes: [],
  cgroups: [],
  caps: [],
  cols: 80,
  rows: 24,
  scrollback: 65536,
};

/** A connected pair: [engine end, monitor end]. */
async function pair(name: string): Promise<[Socket, Socket]> {
  const path = join(base, name);
  const server = createServer();
  await new Promise<void>((r) => server.listen(path, r));
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const engine = connect(path);
  const monitor = await accepted;
  server.close();
  return [engine, monitor];
}

/** Frames the stand-in monitor receives. */
function frames(sock: Socket): () => Promise<Frame> {
  const reader = new FrameReader();
  const queue: Frame[] = [];
  const waiters: ((f: Frame) => void)[] = [];
  sock.on('data', (d: Buffer) => {
    for (const f of reader.push(d)) (waiters.shift() ?? ((x: Frame) => queue.push(x)))(f);
  });
  return () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiters.push(r)));
}

/** An unattended launch whose stand-in monitor has sent PID (start ticks 7) and READY frozen. */
async function unattendedToReady(name: string): Promise<{ l: ShimLaunch; engine: Socket; monitor: Socket }> {
  const [engine, monitor] = await pair(name);
  const next = frames(monitor);
  const l = ShimLaunch.attach({ ...boot, freeze: { mode: 'v2', dir: '/cg/nm-1' }, unattended: true }, engine);
  await next();
  monitor.write(Buffer.concat([encodeFrame(ShimMsg.PID, '10 11 7'), encodeFrame(ShimMsg.READY, 'frozen')]));
  assert.deepEqual(await l.ready(), { frozen: true });
  return { l, engine, monitor };
}

for (const [payload, frozen] of [
  ['frozen', true],
  ['', false],
] as const) {
  test(`READY ${JSON.stringify(payload)} resolves ready() with frozen ${frozen}`, async () => {
    const [engine, monitor] = await pair(`s-${frozen}`);
    const next = frames(monitor);
    const l = ShimLaunch.attach({ ...boot, freeze: { mode: 'v2', dir: '/cg/nm-1' } }, engine);
    const b = await next();
    assert.equal(b.type, ShimMsg.BOOTSTRAP);
    assert.ok(b.payload.toString().includes('\0freeze=/cg/nm-1\0'));
    monitor.write(encodeFrame(ShimMsg.PID, '10 11'));
    assert.deepEqual(await l.pids(), { monitorPid: 10, initPid: 11 });
    monitor.write(encodeFrame(ShimMsg.MOUNTED));
    await l.mounted();
    l.continue();
    const c = await next();
    assert.equal(c.type, ShimMsg.CONTINUE);
    assert.equal(c.payload.length, 0, 'no NICs: an empty CONTINUE, as before');
    monitor.write(encodeFrame(ShimMsg.READY, payload));
    assert.deepEqual(await l.ready(), { frozen });
    l.exec();
    assert.equal((await next()).type, ShimMsg.EXEC);
    l.release();
    monitor.destroy();
  });
}

test('an ERROR instead of READY (a failed freeze) rejects ready() with the message', async () => {
  const [engine, monitor] = await pair('s-err');
  const next = frames(monitor);
  const l = ShimLaunch.attach(boot, engine);
  await next();
  monitor.write(encodeFrame(ShimMsg.ERROR, '2\0open `/cg/nm-1/cgroup.events`: No such file or directory'));
  await assert.rejects(l.ready(), { code: 'E_SHIM', message: 'open `/cg/nm-1/cgroup.events`: No such file or directory' });
  l.release();
  monitor.destroy();
});

test('continue(nics) carries the container ends of the NICs', async () => {
  const [engine, monitor] = await pair('s-nics');
  const next = frames(monitor);
  const l = ShimLaunch.attach(boot, engine);
  await next();
  monitor.write(encodeFrame(ShimMsg.PID, '10 11'));
  monitor.write(encodeFrame(ShimMsg.MOUNTED));
  await l.mounted();
  l.continue([
    { ifname: 'veth0', ip: '10.1.0.1/24' },
    { ifname: 'veth1', ip: '' },
  ]);
  const c = await next();
  assert.equal(c.type, ShimMsg.CONTINUE);
  assert.equal(c.payload.toString(), 'nic=veth0|10.1.0.1/24\0nic=veth1|\0');
  l.release();
  monitor.destroy();
});

test('unattended: BOOTSTRAP says so, PID carries init start ticks, READY frozen ends the handshake (no CONTINUE, no EXEC)', async () => {
  const [engine, monitor] = await pair('s-unattended');
  const next = frames(monitor);
  const l = ShimLaunch.attach({ ...boot, freeze: { mode: 'v2', dir: '/cg/nm-1' }, unattended: true }, engine);
  const b = await next();
  assert.ok(b.payload.toString().includes('\0unattended=1\0'));
  monitor.write(encodeFrame(ShimMsg.PID, '10 11 4242'));
  assert.deepEqual(await l.pids(), { monitorPid: 10, initPid: 11, initStartTicks: 4242 });
  monitor.write(encodeFrame(ShimMsg.READY, 'frozen'));
  assert.deepEqual(await l.ready(), { frozen: true });
  l.release();
  monitor.destroy();
});

test('autoexec: BOOTSTRAP says so; MOUNTED and CONTINUE as usual, READY frozen ends the handshake (no EXEC)', async () => {
  const [engine, monitor] = await pair('s-autoexec');
  const next = frames(monitor);
  const l = ShimLaunch.attach({ ...boot, freeze: { mode: 'v1', dir: '/cg/freezer/nm-1' }, autoexec: true }, engine);
  const b = await next();
  assert.ok(b.payload.toString().includes('\0autoexec=1\0'));
  assert.ok(!b.payload.toString().includes('unattended'));
  monitor.write(encodeFrame(ShimMsg.PID, '10 11 4242'));
  monitor.write(encodeFrame(ShimMsg.MOUNTED));
  await l.mounted();
  l.continue([{ ifname: 'veth0', ip: '' }]);
  assert.equal((await next()).type, ShimMsg.CONTINUE);
  monitor.write(Buffer.concat([encodeFrame(ShimMsg.READY, 'frozen'), encodeFrame(ShimMsg.HELLO, '10 11 running')]));
  assert.deepEqual(await l.ready(), { frozen: true });
  const ctl = await l.control();
  l.release();
  assert.deepEqual(ctl.hello, { monitorPid: 10, initPid: 11, phase: 'running' });
  ctl.close();
  monitor.destroy();
  assert.throws(() => ShimLaunch.attach({ ...boot, freeze: undefined, autoexec: true }, engine), /autoexec needs a freezer/);
});

test('a PID frame with a bad start time is a protocol error; unattended without a freezer cannot be encoded', async () => {
  const [engine, monitor] = await pair('s-badticks');
  const next = frames(monitor);
  const l = ShimLaunch.attach(boot, engine);
  await next();
  monitor.write(encodeFrame(ShimMsg.PID, '10 11 -3'));
  await assert.rejects(l.pids(), { code: 'E_SHIM', message: /bad PID message: 10 11 -3/ });
  l.release();
  monitor.destroy();
  assert.throws(() => ShimLaunch.attach({ ...boot, freeze: undefined, unattended: true }, engine), /unattended needs a freezer/);
});

test('after READY the sync connection is handed over as the control connection: HELLO, EXITED and ADDRS arrive on it', async () => {
  const [engine, monitor] = await pair('s-adopt');
  const next = frames(monitor);
  const l = ShimLaunch.attach({ ...boot, freeze: { mode: 'v2', dir: '/cg/nm-1' }, unattended: true }, engine);
  await next();
  // READY and HELLO in one write: the launch must keep the HELLO for the control connection.
  monitor.write(Buffer.concat([encodeFrame(ShimMsg.PID, '10 11 7'), encodeFrame(ShimMsg.READY, 'frozen'), encodeFrame(ShimMsg.HELLO, '10 11 running')]));
  assert.deepEqual(await l.ready(), { frozen: true });
  const ctl = await l.control();
  l.release();
  assert.deepEqual(ctl.hello, { monitorPid: 10, initPid: 11, phase: 'running' });
  const addrs = ctl.addresses();
  assert.equal((await next()).type, ShimMsg.ADDRS, 'requests go out on the same connection');
  monitor.write(encodeFrame(ShimMsg.ADDRS, 'veth0\t00:11:22:33:44:55\t10.0.0.2/24\t\n'));
  assert.deepEqual(await addrs, [{ ifname: 'veth0', mac: '00:11:22:33:44:55', ip: ['10.0.0.2'], ip6: [] }]);
  const exited = new Promise((r) => ctl.onExit(r));
  monitor.write(encodeFrame(ShimMsg.EXITED, 'code=0\ntime=5\n'));
  assert.deepEqual(await exited, { code: 0, time: 5 });
  const closed = new Promise<void>((r) => ctl.onClose(r));
  monitor.destroy();
  await closed;
  await assert.rejects(l.control(), /already released/);
});

test('the end of the handshake (release, or the monitor closing) rejects every wait still pending, and one asked later, with its first cause', async () => {
  // Released before PID: every wait still pending rejects with "released".
  const [engine, monitor] = await pair('s-release-early');
  const next = frames(monitor);
  const early = ShimLaunch.attach(boot, engine);
  await next();
  early.release();
  const released = { code: 'E_SHIM', message: 'shim sync socket released' };
  await assert.rejects(early.pids(), released);
  await assert.rejects(early.ready(), released);
  await assert.rejects(early.exited(), released);
  assert.equal(early.error?.message, released.message);
  monitor.destroy();

  // Released after a handshake that succeeded: the settled waits keep their values; exited(), asked
  // afterwards, rejects instead of waiting for a frame that cannot come.
  const late = await unattendedToReady('s-release-late');
  late.l.release();
  assert.deepEqual(await late.l.pids(), { monitorPid: 10, initPid: 11, initStartTicks: 7 });
  await assert.rejects(late.l.exited(), released);
  late.monitor.destroy();

  // The monitor's socket closed after READY: the close is the cause, for a wait asked later and after release.
  const closed = await unattendedToReady('s-closed');
  closed.monitor.destroy();
  await new Promise((r) => closed.engine.once('close', r));
  await assert.rejects(closed.l.exited(), { code: 'E_SHIM', message: /closed its sync socket unexpectedly/ });
  closed.l.release();
  assert.match(closed.l.error?.message ?? '', /closed its sync socket unexpectedly/);
});
