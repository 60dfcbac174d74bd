import { app, dialog, type BrowserWindow } from 'electron';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveCommandPty } from './command-pty.js';
import { daemonAnswers, DEFAULT_BASE, engineSocketPath } from './engine-client.js';
import { attachWindow, registerIpc } from './ipc.js';
import { createConsoleWindow, createMainWindow, registerAppScheme, serveAppProtocol } from './window.js';

const BASE = process.env.NANOMEGA_BASE || DEFAULT_BASE;
const SOCKET = engineSocketPath(BASE);
const CLI = fileURLToPath(new URL('../../bin/nanomega.js', import.meta.url));
/** How long to wait for a daemon started through pkexec to answer. */
const DAEMON_START_TIMEOUT_MS = 30_000;

registerAppScheme();

/** No daemon: offer to start one as root through polkit (pkexec), or say how. */
async function ensureDaemon(): Promise<void> {
  if (await daemonAnswers(SOCKET)) return;
  const command = `sudo node ${CLI} serve --base ${BASE}`;
  const { response } = await dialog.showMessageBox({
    type: 'question',
    title: 'nanomega daemon not running',
    message: `No nanomega daemon answers on ${SOCKET}.`,
    detail: `The daemon runs as root. Start it now with pkexec (you will be asked for your password), or start it yourself:\n\n  ${command}\n\nor: sudo systemctl start nanomega`,
    buttons: ['Start with pkexec', 'Continue without'],
    defaultId: 0,
    cancelId: 1,
  });
  if (response !== 0) return;
  const child = spawn('pkexec', [process.execPath, CLI, 'serve', '--base', BASE], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    cwd: dirname(CLI),
  });
  child.on('error', (e) => dialog.showErrorBox('pkexec failed', `${e.message}\n\nStart the daemon yourself:\n  ${command}`));
  child.unref();
  for (let t = 0; t < DAEMON_START_TIMEOUT_MS; t += 250) {
    if (await daemonAnswers(SOCKET)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  dialog.showErrorBox('nanomega daemon did not start', `Nothing answers on ${SOCKET}. Start it yourself:\n  ${command}`);
}

function openConsole(url: string): void {
  const win: BrowserWindow = createConsoleWindow(url, openConsole);
  attachWindow(win, SOCKET);
}

if (process.getuid?.() === 0) {
  // Chromium's sandbox refuses root; the daemon is the only privileged part (design.md §1).
  console.error('nanomega: do not run the desktop app as root; run `sudo nanomega serve` and start the app as your user.');
}

app.enableSandbox();
void app.whenReady().then(async () => {
  serveAppProtocol();
  registerIpc();
  await ensureDaemon();
  const win = createMainWindow(openConsole);
  attachWindow(win, SOCKET);
  serveCommandPty(win, BASE);
});
app.on('window-all-closed', () => app.quit());
app.on('web-contents-created', (_e, wc) => {
  wc.on('will-navigate', (ev) => ev.preventDefault());
  wc.setWindowOpenHandler(() => ({ action: 'deny' }));
});
