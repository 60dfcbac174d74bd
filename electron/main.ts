import { app, dialog, type BrowserWindow } from 'electron';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { answers } from '../engine/api/node/socket-client.js';
import { baseFrom, socketPath } from '../engine/api/wire.js';
import { serveCommandPty } from './command-pty.js';
import { ensureDaemon } from './daemon-start.js';
import { registerCaptureSave } from './capture-save.js';
import { attachWindow, registerIpc } from './ipc.js';
import { findProgram } from './program.js';
import { createConsoleWindow, createMainWindow, registerAppScheme, serveAppProtocol } from './window.js';

const BASE = baseFrom(process.env);
const SOCKET = socketPath(BASE);
/** The nanomega program (daemon and command pane); see program.ts for where it is looked for. */
const PROGRAM = findProgram({
  env: process.env,
  resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
  checkoutEntry: fileURLToPath(new URL('../../bin/nanomega.js', import.meta.url)),
});

registerAppScheme();

function openConsole(url: string): void {
  const win: BrowserWindow = createConsoleWindow(url, openConsole);
  attachWindow(win, SOCKET);
}

if (process.getuid?.() === 0) {
  // Chromium's sandbox refuses root; the daemon is the only privileged part (design.md §1).
  console.error('nanomega: do not run the desktop app as root; run `sudo nanomega serve` and start the app as your user.');
}

app.enableSandbox();
app
  .whenReady()
  .then(async () => {
    serveAppProtocol();
    registerIpc();
    registerCaptureSave();
    await ensureDaemon({
      base: BASE,
      socket: SOCKET,
      program: PROGRAM,
      answers: () => answers(SOCKET),
      ask: (opts) => dialog.showMessageBox(opts),
      error: (title, content) => dialog.showErrorBox(title, content),
      spawn: (file, args, onError) => {
        const child = spawn(file, args, { detached: true, stdio: 'ignore' });
        child.on('error', onError);
        child.unref();
      },
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    const win = createMainWindow(openConsole);
    attachWindow(win, SOCKET);
    serveCommandPty(win, BASE, PROGRAM);
  })
  .catch((e: unknown) => {
    // Nothing can be shown without a window: say why and leave rather than sit there blank.
    dialog.showErrorBox('nanomega could not start', e instanceof Error ? e.message : String(e));
    app.quit();
  });
app.on('window-all-closed', () => app.quit());
app.on('web-contents-created', (_e, wc) => {
  wc.on('will-navigate', (ev) => ev.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
});
