import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeLine, LineSplitter, socketPath as socketPathOf } from '../../../engine/api/wire.js';
import { electronModule, fake } from './load.js';

const ipc = await electronModule<{ registerIpc(): void; attachWindow(win: unknown, socketPath: string): void }>('ipc');
const save = await electronModule<{ CAPTURE_SAVE: string; registerCaptureSave(): void }>('capture-save');
const win = await electronModule<{ createMainWindow(onConsole: (url: string) => void): unknown }>('window');

/** A stand-in daemon holding one 1.3 MB capture file, served by capture.read in chunks. */
const dir = mkdtempSync(join(tmpdir(), 'nm-save-'));
const socketPath = socketPathOf(dir);
const FILE = Buffer.from(Array.from({ length: 1_300_000 }, (_, i) => i % 251));
const reads: number[] = [];
const conns: Socket[] = [];
const server = createServer((sock) => {
  conns.push(sock);
  const lines = new LineSplitter();
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    for (const line of lines.push(d)) {
      const f = JSON.parse(line);
      if (f.type !== 'call') continue;
      if (f.method === 'capture.read') {
        const [, offset, length] = f.args as number[];
        reads.push(offset!);
        const data = FILE.subarray(offset, offset! + length!);
        sock.write(
          encodeLine({
            type: 'result',
            id: f.id,
            ok: true,
            value: { data: data.toString('base64'), offset, size: FILE.length, eof: offset! + data.length >= FILE.length },
          }),
        );
      } else {
        sock.write(encodeLine({ type: 'result', id: f.id, ok: false, error: { code: 'E_NOT_FOUND', message: `no ${f.method}` } }));
      }
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
save.registerCaptureSave();
win.createMainWindow(() => undefined);
const w = fake.windows.at(-1)!;
ipc.attachWindow(w, socketPath);

test("a capture is saved where the save dialog says, read through the window's own daemon connection", async () => {
  const out = join(dir, 'saved.pcap');
  fake.saveAnswers.push(out);
  const r = await fake.invoke(save.CAPTURE_SAVE, fake.ipcEvent(w.webContents), 7, 'web1-veth0.pcap');
  assert.deepEqual(r, { saved: true, path: out });
  assert.deepEqual(readFileSync(out), FILE);
  assert.ok(reads.length >= 3, 'in chunks');
  const opts = fake.calls.filter((c) => c.api === 'dialog.showSaveDialog').at(-1)!.args[0] as { defaultPath: string };
  assert.equal(opts.defaultPath, 'web1-veth0.pcap');
});

test('a cancelled dialog writes nothing; other senders and bad ids are refused before any dialog', async () => {
  fake.saveAnswers.push(undefined);
  assert.deepEqual(await fake.invoke(save.CAPTURE_SAVE, fake.ipcEvent(w.webContents), 7, 'x.pcap'), { saved: false });
  const dialogs = fake.calls.filter((c) => c.api === 'dialog.showSaveDialog').length;
  const sub = new fake.FakeFrame(w.webContents.mainFrame.url);
  assert.deepEqual(await fake.invoke(save.CAPTURE_SAVE, fake.ipcEvent(w.webContents, sub), 7, 'x.pcap'), { saved: false, error: 'unexpected sender' });
  assert.deepEqual(await fake.invoke(save.CAPTURE_SAVE, fake.ipcEvent(w.webContents), '7; rm -rf /', 'x.pcap'), { saved: false, error: 'bad request' });
  assert.equal(fake.calls.filter((c) => c.api === 'dialog.showSaveDialog').length, dialogs);
  assert.ok(!existsSync(join(dir, 'x.pcap')));
});
