import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { electronModule, fake } from './load.js';

interface Program {
  file: string;
  args: string[];
}
const ipc = await electronModule<{ registerIpc(): void; attachWindow(w: unknown, s: string): void }>('ipc');
const pane = await electronModule<{ serveCommandPty(w: unknown, base: string, p: Program | undefined): void }>('command-pty');

/** node-pty is an optional native dependency; CI builds it, so there its absence is a failure. */
function nodePty(): false | string {
  try {
    createRequire(import.meta.url).resolve('node-pty');
    return false;
  } catch {
    if (process.env.CI === 'true') throw new Error('CI is missing node-pty');
    return 'node-pty not installed';
  }
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
};

ipc.registerIpc();

function paneWindow(program: Program | undefined) {
  const win = new fake.FakeBrowserWindow({});
  win.webContents.mainFrame.url = 'app://nanomega/index.html';
  ipc.attachWindow(win, '/nonexistent/nanomega.sock');
  pane.serveCommandPty(win, '/run/nm-test', program);
  return win;
}

test('the pane runs the nanomega program in a pty (attach with the base), never Electron as Node', { skip: nodePty() }, async () => {
  // Each window registers its own handlers in Electron's single ipcMain; here one window per process.
  const win = paneWindow({ file: '/bin/echo', args: ['PROGRAM'] });
  await fake.invoke('pty:start', fake.ipcEvent(win.webContents), 80, 24);
  await until(() => win.webContents.sent.some((s) => s.channel === 'pty:exit'));
  const out = win.webContents.sent
    .filter((s) => s.channel === 'pty:data')
    .map((s) => s.args[0])
    .join('');
  assert.match(out, /PROGRAM --base \/run\/nm-test attach/);
  // A foreign frame cannot start it again or type into it.
  const before = win.webContents.sent.length;
  await fake.invoke('pty:start', fake.ipcEvent(win.webContents, new fake.FakeFrame('https://evil.example/')), 80, 24);
  fake.sendToMain('pty:input', fake.ipcEvent(win.webContents, null), 'rm -rf /\r');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(win.webContents.sent.length, before);
});
