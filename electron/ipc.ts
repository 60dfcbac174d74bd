import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebContents, type WebFrameMain } from 'electron';
import { CALL_NAMES, EVENT_NAMES, type EventName, type Result } from '../engine/api/contract.js';
import { EngineConnection } from './engine-client.js';
import { isAppUrl } from './window.js';

/** IPC channel names (preload.ts uses the same strings). */
export const CH = { call: 'engine:call', subscribe: 'engine:subscribe', unsubscribe: 'engine:unsubscribe', event: 'engine:event' } as const;

/** Windows we created, each with its own daemon connection. */
const connections = new Map<number, EngineConnection>();

/** A frame is ours when it is the top frame of one of our windows showing the app's own origin. */
function isAppFrame(wc: WebContents, frame: WebFrameMain | null): boolean {
  if (!frame || frame !== wc.mainFrame || !connections.has(wc.id)) return false;
  return isAppUrl(frame.url);
}

/** Give a window its own daemon connection; events it subscribed to go to it only. */
export function attachWindow(win: BrowserWindow, socketPath: string): void {
  const wc = win.webContents;
  const id = wc.id;
  const conn = new EngineConnection(socketPath, (name, payload) => {
    if (!wc.isDestroyed()) wc.send(CH.event, name, payload);
  });
  connections.set(id, conn);
  // Closing a window closes its connection; the daemon closes its console sessions. Containers are untouched.
  win.on('closed', () => {
    conn.close();
    connections.delete(id);
  });
}

/** Relay calls and subscriptions: check the sender, forward, never interpret (the daemon validates arguments). */
export function registerIpc(): void {
  ipcMain.handle(CH.call, async (event: IpcMainInvokeEvent, name: unknown, args: unknown): Promise<Result<unknown>> => {
    if (!isAppFrame(event.sender, event.senderFrame)) return { ok: false, error: { code: 'E_PERM', message: 'unexpected sender' } };
    if (typeof name !== 'string' || !(CALL_NAMES as readonly string[]).includes(name) || !Array.isArray(args)) {
      return { ok: false, error: { code: 'E_PROTOCOL', message: `unknown call ${String(name)}` } };
    }
    return connections.get(event.sender.id)!.call(name, args);
  });
  for (const [channel, on] of [
    [CH.subscribe, true],
    [CH.unsubscribe, false],
  ] as const) {
    ipcMain.on(channel, (event, name: unknown) => {
      if (!isAppFrame(event.sender, event.senderFrame)) return;
      if (typeof name !== 'string' || !(EVENT_NAMES as readonly string[]).includes(name)) return;
      const conn = connections.get(event.sender.id)!;
      if (on) conn.subscribe(name as EventName);
      else conn.unsubscribe(name as EventName);
    });
  }
}

export { isAppFrame };
