import { ipcMain, type BrowserWindow } from 'electron';
import { isAppFrame } from './ipc.js';
import type { Program } from './program.js';

interface Pty {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(): void;
  onData(l: (d: string) => void): unknown;
  onExit(l: (e: { exitCode: number }) => void): unknown;
}

/**
 * The engine command console pane of the main window: `nanomega attach` (the nanomega program, never
 * Electron as Node) in a pty (node-pty, an optional native dependency rebuilt for Electron at packaging).
 * Without node-pty or the program the pane says so.
 */
export function serveCommandPty(win: BrowserWindow, base: string, program: Program | undefined): void {
  let pty: Pty | undefined;
  const wc = win.webContents;
  const mine = (e: Electron.IpcMainEvent | Electron.IpcMainInvokeEvent) => e.sender === wc && isAppFrame(wc, e.senderFrame);

  ipcMain.handle('pty:start', async (e, cols: unknown, rows: unknown) => {
    if (!mine(e) || pty) return;
    if (!program) {
      wc.send('pty:data', 'No nanomega program found (install the nanomega package); the command pane needs it.\r\n');
      return;
    }
    let spawn: (file: string, args: string[], opts: object) => Pty;
    try {
      ({ spawn } = (await import('node-pty')) as unknown as { spawn: typeof spawn });
    } catch (err) {
      wc.send('pty:data', `node-pty is not available (${(err as Error).message}); use the CLI: nanomega attach\r\n`);
      return;
    }
    pty = spawn(program.file, [...program.args, '--base', base, 'attach'], {
      name: 'xterm-256color',
      cols: Number(cols) || 80,
      rows: Number(rows) || 24,
      env: process.env,
    });
    pty.onData((d) => !wc.isDestroyed() && wc.send('pty:data', d));
    pty.onExit(({ exitCode }) => {
      pty = undefined;
      if (!wc.isDestroyed()) wc.send('pty:exit', exitCode);
    });
  });
  ipcMain.on('pty:input', (e, data: unknown) => {
    if (mine(e) && typeof data === 'string') pty?.write(data);
  });
  ipcMain.on('pty:resize', (e, cols: unknown, rows: unknown) => {
    if (mine(e) && Number.isInteger(cols) && Number.isInteger(rows)) pty?.resize(cols as number, rows as number);
  });
  win.on('closed', () => pty?.kill());
}
