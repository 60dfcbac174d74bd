import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ConsoleStream } from '../../../../engine/console/console-session.js';
import { FlowControl } from '../../../../engine/console/flow-control.js';
import { LinuxShim } from '../../../../engine/shim/linux-shim.js';

/** A stand-in monitor: a unix socket server that hands us each client's socket. */
async function monitor() {
  const dir = mkdtempSync(join(tmpdir(), 'nm-con-'));
  const path = join(dir, 'console');
  const clients: Socket[] = [];
  const server = createServer((s) => clients.push(s));
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    clients,
    close: () => {
      for (const c of clients) c.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The engine's way to a monitor's console socket (the real shim port). */
const connected = (path: string) => new LinuxShim({ base: dirname(path) }).console(dirname(path));

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

test('output arrives batched and whole; input reaches the monitor', async () => {
  const m = await monitor();
  const got: string[] = [];
  const s = ConsoleStream.over(await connected(m.path), { data: (d) => got.push(d), closed: () => undefined });
  await until(() => m.clients.length === 1);
  const euro = Buffer.from('€');
  m.clients[0]!.write(Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]));
  await new Promise((r) => setTimeout(r, 5));
  m.clients[0]!.write(euro.subarray(1));
  await until(() => got.join('') === 'a€');
  assert.ok(!got.join('').includes('\uFFFD'));
  let input = '';
  m.clients[0]!.on('data', (d) => (input += d));
  s.input('ls\n');
  await until(() => input === 'ls\n');
  s.close();
  m.close();
});

test('a client that does not ack is paused above the high watermark and resumed after acking', async () => {
  const m = await monitor();
  let received = 0;
  const s = ConsoleStream.over(await connected(m.path), { data: (d) => (received += d.length), closed: () => undefined });
  await until(() => m.clients.length === 1);
  m.clients[0]!.write('x'.repeat(FlowControl.HighWatermarkChars + 1));
  await until(() => s.paused);
  assert.ok(s.unacked > FlowControl.HighWatermarkChars);
  s.ack(s.unacked);
  assert.equal(s.paused, false);
  s.close();
  m.close();
});

test('the monitor closing the socket ends the stream once, flushing what was read', async () => {
  const m = await monitor();
  const got: string[] = [];
  const ends: boolean[] = [];
  ConsoleStream.over(await connected(m.path), { data: (d) => got.push(d), closed: (byClient) => ends.push(byClient) });
  await until(() => m.clients.length === 1);
  m.clients[0]!.end('bye');
  await until(() => ends.length === 1);
  assert.deepEqual(ends, [false]);
  assert.equal(got.join(''), 'bye');
  m.close();
});
