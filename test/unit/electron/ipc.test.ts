import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeLine, LineSplitter, socketPath as socketPathOf } from '../../../engine/api/wire.js';
import { electronModule, fake } from './load.js';

interface IpcModule {
  CH: { call: string; subscribe: string; unsubscribe: string; event: string };
  registerIpc(): void;
  attachWindow(win: unknown, socketPath: string): void;
}
interface WindowModule {
  createMainWindow(onConsole: (url: string) => void): unknown;
}

const ipc = await electronModule<IpcModule>('ipc');
const win = await electronModule<WindowModule>('window');

/** A stand-in daemon on a unix socket: answers every call with its method and args, records every frame. */
const dir = mkdtempSync(join(tmpdir(), 'nm-ipc-'));
const socketPath = socketPathOf(dir);
const frames: { conn: number; frame: any }[] = [];
const conns: Socket[] = [];
const server = createServer((sock) => {
  const conn = conns.push(sock) - 1;
  const lines = new LineSplitter();
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    for (const line of lines.push(d)) {
      const frame = JSON.parse(line);
      frames.push({ conn, frame });
      if (frame.type === 'call') sock.write(encodeLine({ type: 'result', id: frame.id, ok: true, value: { method: frame.method, args: frame.args } }));
    }
  });
});
await new Promise<void>((r) => server.listen(socketPath, r));
after(() => {
  for (const c of conns) c.destroy();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

ipc.registerIpc();

function openWindow() {
  win.createMainWindow(() => undefined);
  const w = fake.windows.at(-1)!;
  ipc.attachWindow(w, socketPath);
  return w;
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
};

test('a call from the app frame is relayed to the daemon unchanged and its result returned', async () => {
  const w = openWindow();
  const r = await fake.invoke(ipc.CH.call, fake.ipcEvent(w.webContents), 'vm.info', []);
  assert.deepEqual(r, { ok: true, value: { method: 'vm.info', args: [] } });
  const r2 = await fake.invoke(ipc.CH.call, fake.ipcEvent(w.webContents), 'cli.exec', ['vm info']);
  assert.deepEqual(r2, { ok: true, value: { method: 'cli.exec', args: ['vm info'] } });
});

test('other senders are refused: a subframe, another origin, a window we did not attach', async () => {
  const w = openWindow();
  const sub = new fake.FakeFrame(w.webContents.mainFrame.url);
  const before = frames.length;
  assert.deepEqual(await fake.invoke(ipc.CH.call, fake.ipcEvent(w.webContents, sub), 'vm.info', []), {
    ok: false,
    error: { code: 'E_PERM', message: 'unexpected sender' },
  });
  assert.deepEqual(await fake.invoke(ipc.CH.call, fake.ipcEvent(w.webContents, null), 'vm.info', []), {
    ok: false,
    error: { code: 'E_PERM', message: 'unexpected sender' },
  });
  w.webContents.mainFrame.url = 'https://evil.example/';
  assert.equal(((await fake.invoke(ipc.CH.call, fake.ipcEvent(w.webContents), 'vm.info', [])) as any).error.code, 'E_PERM');
  const stranger = new fake.FakeWebContents('app://nanomega/index.html');
  assert.equal(((await fake.invoke(ipc.CH.call, fake.ipcEvent(stranger), 'vm.info', [])) as any).error.code, 'E_PERM');
  fake.sendToMain(ipc.CH.subscribe, fake.ipcEvent(stranger), 'containers.changed');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(frames.length, before, 'nothing reached the daemon');
});

test('unknown call names and malformed arguments never reach the daemon', async () => {
  const w = openWindow();
  const before = frames.length;
  for (const [name, args] of [
    ['shell.exec', []],
    [42, []],
    ['vm.info', 'not-an-array'],
    ['__proto__', []],
  ] as const) {
    const r = (await fake.invoke(ipc.CH.call, fake.ipcEvent(w.webContents), name, args)) as any;
    assert.equal(r.ok, false);
    assert.equal(r.error.code, 'E_PROTOCOL');
  }
  fake.sendToMain(ipc.CH.subscribe, fake.ipcEvent(w.webContents), 'no.such.event');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(frames.length, before);
});

test("subscriptions are per window: events reach only the subscribing window's renderer", async () => {
  const a = openWindow();
  const b = openWindow();
  await fake.invoke(ipc.CH.call, fake.ipcEvent(a.webContents), 'vm.info', []);
  await fake.invoke(ipc.CH.call, fake.ipcEvent(b.webContents), 'vm.info', []);
  fake.sendToMain(ipc.CH.subscribe, fake.ipcEvent(a.webContents), 'containers.changed');
  await until(() => frames.some((f) => f.frame.type === 'subscribe' && f.frame.events[0] === 'containers.changed'));
  const conn = frames.find((f) => f.frame.type === 'subscribe' && f.frame.events[0] === 'containers.changed')!.conn;
  conns[conn]!.write(JSON.stringify({ type: 'event', name: 'containers.changed', payload: [{ id: 1 }] }) + '\n');
  await until(() => a.webContents.sent.some((s) => s.channel === ipc.CH.event));
  assert.deepEqual(a.webContents.sent.find((s) => s.channel === ipc.CH.event)!.args, ['containers.changed', [{ id: 1 }]]);
  assert.equal(b.webContents.sent.filter((s) => s.channel === ipc.CH.event).length, 0);
  fake.sendToMain(ipc.CH.unsubscribe, fake.ipcEvent(a.webContents), 'containers.changed');
  await until(() => frames.some((f) => f.conn === conn && f.frame.type === 'unsubscribe'));
});

test('closing a window closes its daemon connection; calls on a missing daemon answer instead of throwing', async () => {
  const w = openWindow();
  await fake.invoke(ipc.CH.call, fake.ipcEvent(w.webContents), 'vm.info', []);
  const open = conns.filter((c) => !c.destroyed && c.readable).length;
  w.close();
  await until(() => conns.filter((c) => !c.destroyed && c.readable).length < open);

  win.createMainWindow(() => undefined);
  const lonely = fake.windows.at(-1)!;
  ipc.attachWindow(lonely, join(dir, 'absent.sock'));
  const r = (await fake.invoke(ipc.CH.call, fake.ipcEvent(lonely.webContents), 'vm.info', [])) as any;
  assert.equal(r.ok, false);
  assert.match(r.error.message, /no nanomega daemon answers/);
});
