import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { ShimControl } from '../../../../engine/shim/control-client.js';
import { FrameReader, ShimMsg, encodeFrame, type Frame } from '../../../../engine/shim/protocol.js';

/** A fake monitor on `<dir>/control`: HELLO on connect, then whatever the test does with requests. */
let dir: string;
let server: Server;
let onRequest: (f: Frame, sock: Socket) => void = () => {};
const socks: Socket[] = [];
const controls: ShimControl[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nm-control-'));
  server = createServer((sock) => {
    socks.push(sock);
    const reader = new FrameReader();
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      for (const f of reader.push(chunk)) onRequest(f, sock);
    });
    sock.write(encodeFrame(ShimMsg.HELLO, '100 101 running'));
  });
  await new Promise<void>((r) => server.listen(join(dir, 'control'), r));
});

afterEach(() => {
  for (const c of controls.splice(0)) c.close();
  for (const s of socks.splice(0)) s.destroy();
  onRequest = () => {};
});

after(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function connect(): Promise<ShimControl> {
  const c = await ShimControl.connect(dir);
  controls.push(c);
  return c;
}

const ANSWER = 'lo\t00:00:00:00:00:00\t127.0.0.1/8\t::1/128\nveth0\t02:6d:e7:00:00:0b\t10.199.7.1/24,10.199.7.77/24\tfd00::2/64,fe80::1/64\n';

test('addresses() sends an empty ADDRS and resolves with the answer: bare addresses, lo left out', async () => {
  const seen: Frame[] = [];
  onRequest = (f, sock) => {
    seen.push(f);
    // Split across writes: the reader reassembles.
    const frame = encodeFrame(ShimMsg.ADDRS, ANSWER);
    sock.write(frame.subarray(0, 11));
    setImmediate(() => sock.write(frame.subarray(11)));
  };
  const c = await connect();
  assert.deepEqual(await c.addresses(), [{ ifname: 'veth0', mac: '02:6d:e7:00:00:0b', ip: ['10.199.7.1', '10.199.7.77'], ip6: ['fd00::2', 'fe80::1'] }]);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.type, ShimMsg.ADDRS);
  assert.equal(seen[0]!.payload.length, 0);
});

test('concurrent requests are answered in order; EXITED in between still reaches onExit', async () => {
  let n = 0;
  onRequest = (_f, sock) => {
    const i = n++;
    if (i === 1) sock.write(encodeFrame(ShimMsg.EXITED, 'code=0\ntime=5\n'));
    sock.write(encodeFrame(ShimMsg.ADDRS, `veth0\t\t10.0.0.${i}/24\t\n`));
  };
  const c = await connect();
  const exited = new Promise((r) => c.onExit(r));
  const got = await Promise.all([c.addresses(), c.addresses(), c.addresses()]);
  assert.deepEqual(
    got.map((a) => a[0]!.ip[0]),
    ['10.0.0.0', '10.0.0.1', '10.0.0.2'],
  );
  assert.deepEqual(await exited, { code: 0, time: 5 });
});

test('a failed query is a clean E_SHIM error with the monitor message', async () => {
  onRequest = (_f, sock) => sock.write(encodeFrame(ShimMsg.ADDRS, "1\0setns to the container's network namespace: Operation not permitted"));
  const c = await connect();
  await assert.rejects(c.addresses(), (e: Error & { code?: string }) => e.code === 'E_SHIM' && /setns to the container's network namespace/.test(e.message));
});

test('no answer: timeout; later calls fail at once until a late answer shows the monitor does answer', async () => {
  const pending: Socket[] = [];
  onRequest = (_f, sock) => void pending.push(sock);
  const c = await connect();
  const t0 = Date.now();
  await assert.rejects(c.addresses({ timeoutMs: 50 }), (e: Error & { code?: string }) => e.code === 'E_SHIM' && /no ADDRS answer within 50 ms/.test(e.message));
  assert.ok(Date.now() - t0 < 1000);
  await assert.rejects(c.addresses({ timeoutMs: 5000 }), /does not answer ADDRS/);
  assert.equal(pending.length, 1, 'the fast failure sent nothing');
  // The late answer belongs to the timed-out request: dropped, not given to the next one.
  pending[0]!.write(encodeFrame(ShimMsg.ADDRS, 'veth0\t\t10.9.9.9/24\t\n'));
  await new Promise((r) => setTimeout(r, 20));
  onRequest = (_f, sock) => sock.write(encodeFrame(ShimMsg.ADDRS, 'veth0\t\t10.1.1.1/24\t\n'));
  assert.deepEqual((await c.addresses())[0]!.ip, ['10.1.1.1']);
});

test('the connection closing rejects what is pending, and later calls', async () => {
  onRequest = (_f, sock) => sock.destroy();
  const c = await connect();
  await assert.rejects(c.addresses(), (e: Error & { code?: string }) => e.code === 'E_SHIM' && /closed/.test(e.message));
  await assert.rejects(c.addresses(), /closed/);
});

test('a malformed answer is an E_SHIM error, not a crash', async () => {
  onRequest = (_f, sock) => sock.write(encodeFrame(ShimMsg.ADDRS, 'garbage\n'));
  const c = await connect();
  await assert.rejects(c.addresses(), (e: Error & { code?: string }) => e.code === 'E_SHIM' && /bad line/.test(e.message));
});
