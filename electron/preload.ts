import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_NAMES, EVENT_NAMES, type CallName, type EngineTransport, type EventName, type Result } from '../engine/api/contract.js';
import { ListenerSet } from '../engine/api/wire-client.js';
import { CH } from './channels.js';

// Bundled into dist/electron/preload.cjs (vite.preload.config.ts): a sandboxed preload may require only 'electron'.

const listeners = new ListenerSet({
  first: (name) => ipcRenderer.send(CH.subscribe, name),
  last: (name) => ipcRenderer.send(CH.unsubscribe, name),
});
ipcRenderer.on(CH.event, (_e: IpcRendererEvent, name: string, payload: unknown) => listeners.emit(name, payload));

/**
 * Results, not thrown errors: contextBridge keeps only an Error's message, so the page turns a failed
 * result into an EngineError with its code itself (renderer/main.ts: bridgeOf).
 */
const engineTransport: EngineTransport = {
  async request(name: string, args: unknown[]): Promise<Result<unknown>> {
    if (!(CALL_NAMES as readonly string[]).includes(name)) return { ok: false, error: { code: 'E_PROTOCOL', message: `unknown call ${name}` } };
    return (await ipcRenderer.invoke(CH.call, name as CallName, args)) as Result<unknown>;
  },
  on(name: string, listener: (payload: unknown) => void): () => void {
    if (!(EVENT_NAMES as readonly string[]).includes(name)) throw new Error(`unknown event ${name}`);
    // The page gets the payload only, never the IpcRendererEvent (Electron checklist #20).
    return listeners.add(name as EventName, listener);
  },
};
contextBridge.exposeInMainWorld('engineTransport', engineTransport);

/** Saving a capture's pcap through main's save dialog (electron/capture-save.ts). */
contextBridge.exposeInMainWorld('nanomegaFiles', {
  saveCapture: (id: number, name: string) => ipcRenderer.invoke('capture:save', Number(id), String(name)) as Promise<{ saved: boolean; path?: string }>,
});

/** The engine command console pane: `nanomega attach` in a pty held by the main process. */
contextBridge.exposeInMainWorld('nanomegaPty', {
  start: (cols: number, rows: number) => ipcRenderer.invoke('pty:start', cols, rows) as Promise<void>,
  input: (data: string) => ipcRenderer.send('pty:input', String(data)),
  resize: (cols: number, rows: number) => ipcRenderer.send('pty:resize', Number(cols), Number(rows)),
  onData: (l: (data: string) => void) => {
    const relay = (_e: IpcRendererEvent, d: string) => l(d);
    ipcRenderer.on('pty:data', relay);
    return () => ipcRenderer.off('pty:data', relay);
  },
  onExit: (l: (code: number) => void) => {
    const relay = (_e: IpcRendererEvent, c: number) => l(c);
    ipcRenderer.on('pty:exit', relay);
    return () => ipcRenderer.off('pty:exit', relay);
  },
});
