import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebContents, type WebFrameMain } from 'electron';
import { CALL_NAMES, EVENT_NAMES, type EventName, type Result } from '../engine/api/contract.js';
import { EngineClient } from '../engine/api/node/socket-client.js';
import { CH } from './channels.js';
import { isAppUrl } from './window.js';

export { CH };

/** A window's own daemon connection and the events it subscribed to. */
interface WindowConnection {
  client: EngineClient;
  events: Map<EventName, () => void>;
}

/** Windows we created, each with its own daemon connection. */
const connections = new Map<number, WindowConnection>();

/** A frame is ours when it is the top frame of one of our windows showing the app's own origin. */
function isAppFrame(wc: WebContents, frame: WebFrameMain | null): boolean {
  if (!frame || frame !== wc.mainFrame || !connections.has(wc.id)) return false;
  return isAppUrl(frame.url);
}

/** Give a window its own daemon connection; events it subscribed to go to it only. */
export function attachWindow(win: BrowserWindow, socketPath: string): void {
  const wc = win.webContents;
  const id = wc.id;
  // Connects on the first call and again after a daemon restart; calls never throw (E_UNAVAILABLE results).
  const client = EngineClient.lazy(socketPath);
  connections.set(id, { client, events: new Map() });
  // Closing a window closes its connection; the daemon closes its console sessions. Containers are untouched.
  win.on('closed', () => {
    client.close();
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
    return connections.get(event.sender.id)!.client.request(name, args);
  });
  for (const [channel, on] of [
    [CH.subscribe, true],
    [CH.unsubscribe, false],
  ] as const) {
    ipcMain.on(channel, (event, name: unknown) => {
      if (!isAppFrame(event.sender, event.senderFrame)) return;
      if (typeof name !== 'string' || !(EVENT_NAMES as readonly string[]).includes(name)) return;
      const { client, events } = connections.get(event.sender.id)!;
      const wc = event.sender;
      if (on && !events.has(name as EventName)) {
        events.set(
          name as EventName,
          client.on(name, (payload) => {
            if (!wc.isDestroyed()) wc.send(CH.event, name, payload);
          }),
        );
      } else if (!on) {
        events.get(name as EventName)?.();
        events.delete(name as EventName);
      }
    });
  }
}

export { isAppFrame };

/** The daemon connection of a window we attached (capture-save.ts reads through it). */
export function clientOf(wc: WebContents): EngineClient | undefined {
  return connections.get(wc.id)?.client;
}
