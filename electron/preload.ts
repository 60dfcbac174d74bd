import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_NAMES, EVENT_NAMES, type CallName, type Calls, type EngineBridge, type EventName, type Events, type Result } from '../engine/api/contract.js';

// Bundled into dist/electron/preload.cjs (vite.preload.config.ts): a sandboxed preload may require only 'electron'.
const CH = { call: 'engine:call', subscribe: 'engine:subscribe', unsubscribe: 'engine:unsubscribe', event: 'engine:event' } as const;

const listeners = new Map<string, Set<(payload: unknown) => void>>();
ipcRenderer.on(CH.event, (_e: IpcRendererEvent, name: string, payload: unknown) => {
  for (const l of listeners.get(name) ?? []) l(payload);
});

const engine: EngineBridge = {
  async call<K extends CallName>(name: K, ...args: Calls[K]['args']): Promise<Calls[K]['result']> {
    if (!CALL_NAMES.includes(name)) throw new Error(`unknown call ${String(name)}`);
    const r = (await ipcRenderer.invoke(CH.call, name, args)) as Result<Calls[K]['result']>;
    if (r.ok) return r.value;
    // Only the message survives contextBridge; it is written for a person and names the code's cause.
    throw new Error(r.error.message);
  },
  on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void {
    if (!EVENT_NAMES.includes(name)) throw new Error(`unknown event ${String(name)}`);
    let set = listeners.get(name);
    if (!set) {
      set = new Set();
      listeners.set(name, set);
      ipcRenderer.send(CH.subscribe, name);
    }
    // The page gets the payload only, never the IpcRendererEvent (Electron checklist #20).
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => {
      set!.delete(l);
      if (set!.size === 0) {
        listeners.delete(name);
        ipcRenderer.send(CH.unsubscribe, name);
      }
    };
  },
};
contextBridge.exposeInMainWorld('engine', engine);

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
