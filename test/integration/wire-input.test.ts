import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { EngineClient } from '../../engine/api/node/socket-client.js';
import { LineSplitter, MAX_LINE_BYTES, socketPath } from '../../engine/api/wire.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { requires } from '../helpers/requires.js';
import { leakChecked } from '../helpers/leaks.js';

const skip = requires('root', 'cgroup2', 'shim');

/** A raw connection that collects reply lines. */
async function raw(base: string): Promise<{ sock: Socket; next(): Promise<string>; closed: Promise<void> }> {
  const sock = connect(socketPath(base));
  await new Promise((r) => sock.once('connect', r));
  const lines: string[] = [];
  const waiters: ((l: string) => void)[] = [];
  const split = new LineSplitter(Infinity);
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    for (const l of split.push(d)) (waiters.shift() ?? ((x: string) => lines.push(x)))(l);
  });
  sock.on('error', () => undefined);
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  return { sock, next: () => (lines.length ? Promise.resolve(lines.shift()!) : new Promise((r) => waiters.push(r))), closed };
}

describe(
  'bad input on the daemon socket',
  { skip },
  leakChecked(() => {
    let d: TestDaemon;
    before(async () => {
      d = await startDaemon();
    });
    after(async () => {
      await d.dispose();
    });

    const stillServes = async () => {
      const c = await EngineClient.connect(d.base);
      assert.deepEqual(await c.call('vm.info'), []);
      c.close();
    };

    test('malformed JSON and unknown frames get E_PROTOCOL and the connection keeps working', async () => {
      const c = await raw(d.base);
      for (const bad of ['{not json', '[1,2]', '{"type":"call","id":"x"}']) {
        c.sock.write(bad + '\n');
        const r = JSON.parse(await c.next()) as { id: number; ok: boolean; error: { code: string } };
        assert.deepEqual([r.id, r.ok, r.error.code], [-1, false, 'E_PROTOCOL'], bad);
      }
      c.sock.write('{"type":"call","id":5,"method":"vm.info","args":[]}\n');
      assert.deepEqual(JSON.parse(await c.next()), { type: 'result', id: 5, ok: true, value: [] });
      c.sock.destroy();
    });

    test('a 2 MB line is read whole and answered; a line past the limit drops only that client', async () => {
      const c = await raw(d.base);
      c.sock.write(JSON.stringify({ type: 'call', id: 1, method: 'cli.exec', args: ['x'.repeat(2 << 20)] }) + '\n');
      const r = JSON.parse(await c.next()) as { id: number; ok: boolean; value: { errors: string[] } };
      assert.equal(r.id, 1);
      assert.match(r.value.errors[0]!, /invalid command/);
      const big = await raw(d.base);
      big.sock.write('y'.repeat(MAX_LINE_BYTES + 1024));
      const last = JSON.parse(await big.next()) as { error: { code: string; message: string } };
      assert.equal(last.error.code, 'E_PROTOCOL');
      assert.match(last.error.message, /longer than/);
      await big.closed;
      await stillServes();
      c.sock.destroy();
    });

    test('a client that never reads is dropped; the others are served meanwhile', async () => {
      const c = await raw(d.base);
      c.sock.pause();
      // Each answer repeats the 1 MB line in its error: ~100 MB unread is past the daemon's limit.
      const line = JSON.stringify({ type: 'call', id: 1, method: 'cli.exec', args: ['z'.repeat(1 << 20)] }) + '\n';
      for (let i = 0; i < 100; i++) c.sock.write(line);
      await stillServes();
      await c.closed;
      await stillServes();
    });
  }),
);
