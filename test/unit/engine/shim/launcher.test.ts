// ShimLauncher against a stand-in launcher (a Node script, no root): requests on stdin, ATTACH
// over launch.sock, unknown tokens, timeouts, a launcher that dies and is started again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineError } from '../../../../engine/errors.js';
import { FrameReader, ShimMsg, encodeFrame } from '../../../../engine/shim/protocol.js';
import { LAUNCH_SOCKET, ShimLauncher, attachToken, launchRequest } from '../../../../engine/shim/launcher.js';

let base = '';
let fake = '';

/**
 * Reads `<token> <dir>` lines; per dir basename: `ok*` attaches with the token, `silent*` never
 * attaches, `chatty*` sends a frame after ATTACH, `wrong*` attaches with token+1000, `die*` exits,
 * `slow*` attaches 100 ms after the previous `slow*` did (a launcher working through a long queue).
 */
const FAKE = `
const net = require('node:net');
const sock = process.argv[process.argv.length - 1];
function frame(type, s) {
  const b = Buffer.from(s), h = Buffer.alloc(8);
  h.writeUInt32LE(type, 0); h.writeUInt32LE(b.length, 4);
  return Buffer.concat([h, b]);
}
let buf = '';
let queue = Promise.resolve();
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1);
    const [token, dir] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    const name = dir.split('/').pop();
    if (name.startsWith('die')) process.exit(3);
    if (name.startsWith('silent')) continue;
    if (name.startsWith('slow')) {
      queue = queue.then(() => new Promise((r) => setTimeout(r, 100))).then(() => attach(token, name));
      continue;
    }
    attach(token, name);
  }
});
function attach(token, name) {
    const c = net.connect(sock, () => {
      const t = name.startsWith('wrong') ? String(Number(token) + 1000) : token;
      const more = name.startsWith('chatty') ? frame(${ShimMsg.PID}, '1 2') : Buffer.alloc(0);
      c.write(Buffer.concat([frame(${ShimMsg.ATTACH}, t), more])); // one write: one chunk
    });
    c.on('data', (d) => c.write(d)); // echo: the "monitor" answers on the attached connection
    c.on('error', () => {});
}
process.stdin.on('end', () => process.exit(0));
`;

before(() => {
  base = mkdtempSync(join(tmpdir(), 'nm-launcher-'));
  fake = join(base, 'fake-launcher');
  writeFileSync(fake, `#!${process.execPath}\n${FAKE}`, { mode: 0o755 });
});

after(() => rmSync(base, { recursive: true, force: true }));

test('launchRequest and attachToken', () => {
  assert.equal(launchRequest(7, '/var/lib/nm/7'), '7 /var/lib/nm/7\n');
  assert.equal(launchRequest(1, '/a b'), '1 /a b\n');
  assert.equal(launchRequest(3, '/a b', 512), '3 512 /a b\n', 'a BOOTSTRAP of 512 bytes follows');
  assert.throws(() => launchRequest(3, '/a', 0), RangeError);
  assert.throws(() => launchRequest(3, '/a', 2 ** 21), RangeError);
  assert.throws(() => launchRequest(1, 'rel'), RangeError);
  assert.throws(() => launchRequest(1, '/a\nb'), RangeError);
  assert.throws(() => launchRequest(-1, '/a'), RangeError);
  assert.equal(attachToken({ type: ShimMsg.ATTACH, payload: Buffer.from('42') }), 42);
  assert.equal(attachToken({ type: ShimMsg.ATTACH, payload: Buffer.from('4x') }), undefined);
  // Tokens are random 53-bit numbers (review L6): up to 16 digits, never past a safe integer.
  assert.equal(attachToken({ type: ShimMsg.ATTACH, payload: Buffer.from('9007199254740991') }), 9007199254740991);
  assert.equal(attachToken({ type: ShimMsg.ATTACH, payload: Buffer.from('9007199254740993') }), undefined);
  assert.equal(attachToken({ type: ShimMsg.ATTACH, payload: Buffer.from('') }), undefined);
  assert.equal(attachToken({ type: ShimMsg.PID, payload: Buffer.from('42') }), undefined);
});

async function echo(s: Socket, text: string): Promise<string> {
  const r = new FrameReader();
  s.write(encodeFrame(ShimMsg.CONTINUE, text));
  return new Promise((resolve) => {
    const on = (d: Buffer) => {
      const f = r.push(d)[0];
      if (!f) return;
      s.off('data', on);
      resolve(f.payload.toString());
    };
    s.on('data', on);
    s.resume();
  });
}

test('launches attach by token over a 0600 socket; strangers and late tokens are dropped', async () => {
  const l = await ShimLauncher.start({ base, shimPath: fake, attachTimeoutMs: 2000 });
  try {
    assert.equal(statSync(join(base, LAUNCH_SOCKET)).mode & 0o777, 0o600);
    const socks = await Promise.all([1, 2, 3].map((i) => l.launch(join(base, `ok${i}`))));
    assert.deepEqual(await Promise.all(socks.map((s, i) => echo(s, `hi${i}`))), ['hi0', 'hi1', 'hi2']);
    for (const s of socks) s.destroy();

    // A connection with no pending token is closed.
    const stranger = connect(join(base, LAUNCH_SOCKET));
    stranger.on('error', () => {});
    stranger.write(encodeFrame(ShimMsg.ATTACH, '999'));
    await new Promise((r) => stranger.once('close', r));
    // wrong token: the launch itself times out; the stray connection is closed.
    const t0 = Date.now();
    const e = await l.launch(join(base, 'wrong')).catch((x: unknown) => x);
    assert.ok(e instanceof EngineError && e.code === 'E_SHIM' && /did not attach/.test(e.message), String(e));
    assert.ok(Date.now() - t0 >= 1900);
  } finally {
    l.close();
  }
});

test('a long queue attaches past the timeout while monitors keep attaching; one the launcher passed still fails', async () => {
  const l = await ShimLauncher.start({ base, shimPath: fake, attachTimeoutMs: 300 });
  try {
    const order: string[] = [];
    // One wave, in queue order. 16 × 100 ms: the last request waits ~1.6 s for its turn, five times
    // the timeout. `silent` (forked, never attaches) is passed once slow2 attaches (~0.3 s) and
    // fails ~0.3 s later, long before the wave ends; timed from the last attach it would outlive it.
    const names = ['slow0', 'slow1', 'silent', ...Array.from({ length: 14 }, (_, i) => `slow${i + 2}`)];
    const results = names.map((name) =>
      l.launch(join(base, name)).then(
        (s) => {
          order.push(name);
          s.destroy();
        },
        (e: unknown) => {
          order.push(name);
          return e;
        },
      ),
    );
    const settled = await Promise.all(results);
    const e = settled[names.indexOf('silent')];
    assert.ok(e instanceof EngineError && e.code === 'E_SHIM' && /did not attach/.test(e.message), String(e));
    assert.deepEqual(
      settled.filter((x) => x !== undefined),
      [e],
      'every slow one attached',
    );
    assert.ok(order.indexOf('silent') < order.indexOf('slow15'), `failed before the wave ended: ${order.join(' ')}`);
  } finally {
    l.close();
  }
});

test('what a monitor sends right after ATTACH (it had BOOTSTRAP with the request) reaches the attached socket', async () => {
  const l = await ShimLauncher.start({ base, shimPath: fake });
  try {
    const sock = await l.launch(join(base, 'chatty'));
    const got = await new Promise<Buffer>((resolve) => sock.once('data', resolve).resume()); // attached connections arrive paused
    assert.deepEqual(
      new FrameReader().push(got).map((f) => [f.type, f.payload.toString()]),
      [[ShimMsg.PID, '1 2']],
    );
    sock.destroy();
  } finally {
    l.close();
  }
});

test('a dead launcher fails what it never served and is started again', async () => {
  const l = await ShimLauncher.start({ base, shimPath: fake });
  try {
    const first = l.pid;
    assert.ok(first);
    const silent = l.launch(join(base, 'silent')).catch((x: unknown) => x);
    const t0 = Date.now();
    const died = l.launch(join(base, 'die')).catch((x: unknown) => x);
    for (const e of [await died, await silent]) assert.match(String(e), /launcher exited with status 3; the shim for .* did not attach/);
    assert.ok(Date.now() - t0 < 5000, 'failed after the grace, not the full timeout');
    const s = await l.launch(join(base, 'ok-again'));
    assert.notEqual(l.pid, first);
    assert.equal(await echo(s, 'back'), 'back');
    s.destroy();
  } finally {
    l.close();
  }
  await assert.rejects(l.launch(join(base, 'ok')), /closed/);
});

test('a stale socket file is replaced', async () => {
  writeFileSync(join(base, LAUNCH_SOCKET), 'stale');
  const l = await ShimLauncher.start({ base, shimPath: fake });
  try {
    const s = await l.launch(join(base, 'ok-stale'));
    s.destroy();
  } finally {
    l.close();
  }
});
