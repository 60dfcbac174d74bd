/**
 * A recording fake of the `electron` module for unit tests of electron/ (the Electron binary cannot be
 * downloaded on our machines). It implements the parts of the API our main process and preload use and
 * records every call in `calls`; tests drive it (emit window events, invoke IPC handlers as some frame,
 * answer dialogs) and assert on what the code did. It is loaded in place of `electron` by
 * test/helpers/electron-hooks.ts (ESM) or by seeding require.cache (the CommonJS preload bundle).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface Call {
  api: string;
  args: unknown[];
}

/** Every API call the code under test made, in order. */
export const calls: Call[] = [];
const record = (api: string, ...args: unknown[]) => void calls.push({ api, args });

type Listener = (...args: any[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, l: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  once(event: string, l: Listener): this {
    const wrapped: Listener = (...a) => {
      this.off(event, wrapped);
      return l(...a);
    };
    return this.on(event, wrapped);
  }
  off(event: string, l: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((x) => x !== l),
    );
    return this;
  }
  removeListener(event: string, l: Listener): this {
    return this.off(event, l);
  }
  emit(event: string, ...args: unknown[]): boolean {
    const ls = this.listeners.get(event) ?? [];
    for (const l of ls) l(...args);
    return ls.length > 0;
  }
}

export class FakeFrame {
  constructor(public url: string) {}
}

let nextContentsId = 1;

export class FakeWebContents extends Emitter {
  readonly id = nextContentsId++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  readonly mainFrame: FakeFrame;
  windowOpenHandler?: (details: { url: string }) => { action: string };
  permissionHandler?: (wc: unknown, permission: string, cb: (allow: boolean) => void) => void;
  destroyed = false;
  readonly session = {
    setPermissionRequestHandler: (h: FakeWebContents['permissionHandler']) => {
      record('session.setPermissionRequestHandler');
      this.permissionHandler = h;
    },
  };
  constructor(url = '') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  setWindowOpenHandler(h: FakeWebContents['windowOpenHandler']): void {
    record('webContents.setWindowOpenHandler');
    this.windowOpenHandler = h;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What a navigation event handler did: true when it called preventDefault(). */
  tryNavigate(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', url: string): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => void (prevented = true), url }, url);
    return prevented;
  }
}

/** Every BrowserWindow the code created, in order. */
export const windows: FakeBrowserWindow[] = [];

export class FakeBrowserWindow extends Emitter {
  readonly webContents: FakeWebContents;
  loaded?: string;
  shown = false;
  constructor(readonly options: Record<string, any>) {
    super();
    record('new BrowserWindow', options);
    this.webContents = new FakeWebContents();
    windows.push(this);
  }
  async loadURL(url: string): Promise<void> {
    record('BrowserWindow.loadURL', url);
    this.loaded = url;
    this.webContents.mainFrame.url = url;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.webContents.destroyed = true;
    this.emit('closed');
  }
  static fromWebContents(wc: FakeWebContents): FakeBrowserWindow | null {
    return windows.find((w) => w.webContents === wc) ?? null;
  }
}

/** protocol.handle handlers by scheme, and the privileged scheme registrations. */
export const schemes = new Map<string, (req: { url: string }) => Promise<Response>>();
export const privilegedSchemes: unknown[] = [];

export const protocol = {
  registerSchemesAsPrivileged(list: unknown[]): void {
    record('protocol.registerSchemesAsPrivileged', list);
    privilegedSchemes.push(...list);
  },
  handle(scheme: string, handler: (req: { url: string }) => Promise<Response>): void {
    record('protocol.handle', scheme);
    schemes.set(scheme, handler);
  },
};

/** ipcMain.handle handlers and ipcMain.on listeners by channel. */
export const handlers = new Map<string, Listener>();
export const ipcListeners = new Map<string, Listener[]>();

export const ipcMain = {
  handle(channel: string, h: Listener): void {
    record('ipcMain.handle', channel);
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, h);
  },
  on(channel: string, l: Listener): void {
    record('ipcMain.on', channel);
    ipcListeners.set(channel, [...(ipcListeners.get(channel) ?? []), l]);
  },
};

/** An IPC event as Electron builds it for a message from `wc`'s frame `frame`. */
export function ipcEvent(wc: FakeWebContents, frame: FakeFrame | null = wc.mainFrame): { sender: FakeWebContents; senderFrame: FakeFrame | null } {
  return { sender: wc, senderFrame: frame };
}

/** Invoke a handler registered with ipcMain.handle, as the renderer would. */
export async function invoke(channel: string, event: ReturnType<typeof ipcEvent>, ...args: unknown[]): Promise<unknown> {
  const h = handlers.get(channel);
  if (!h) throw new Error(`No handler registered for '${channel}'`);
  return h(event, ...args);
}

/** Deliver an ipcRenderer.send message to the ipcMain.on listeners. */
export function sendToMain(channel: string, event: ReturnType<typeof ipcEvent>, ...args: unknown[]): void {
  for (const l of ipcListeners.get(channel) ?? []) l(event, ...args);
}

/** Answers the next showMessageBox calls get (button indices); default: cancel (the last button). */
export const dialogAnswers: number[] = [];
export const dialog = {
  async showMessageBox(opts: { buttons?: string[] }): Promise<{ response: number }> {
    record('dialog.showMessageBox', opts);
    return { response: dialogAnswers.shift() ?? Math.max(0, (opts.buttons?.length ?? 1) - 1) };
  },
  showErrorBox(title: string, content: string): void {
    record('dialog.showErrorBox', title, content);
  },
  /** Answers from saveAnswers: a path, or undefined for a cancelled dialog. */
  async showSaveDialog(...args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> {
    record('dialog.showSaveDialog', args.at(-1));
    const path = saveAnswers.shift();
    return path === undefined ? { canceled: true } : { canceled: false, filePath: path };
  },
};
/** Paths the next showSaveDialog calls answer (undefined: cancelled). */
export const saveAnswers: (string | undefined)[] = [];

export const shell = {
  async openExternal(url: string): Promise<void> {
    record('shell.openExternal', url);
  },
};

/** net.fetch for file: URLs (what the app:// handler uses), read from disk. */
export const net = {
  async fetch(url: string): Promise<Response> {
    record('net.fetch', url);
    try {
      const body = await readFile(fileURLToPath(url));
      return new Response(body, { status: 200, headers: { 'Content-Type': 'application/octet-stream' } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  },
};

export const appEvents = new Emitter();
let readyResolve: () => void = () => undefined;
let ready = new Promise<void>((r) => (readyResolve = r));

export const app = {
  whenReady(): Promise<void> {
    record('app.whenReady');
    return ready;
  },
  enableSandbox(): void {
    record('app.enableSandbox');
  },
  on(event: string, l: Listener): void {
    record('app.on', event);
    appEvents.on(event, l);
  },
  quit(): void {
    record('app.quit');
  },
  getPath(name: string): string {
    return `/tmp/fake-electron-${name}`;
  },
};

/** Let app.whenReady() resolve, as Electron does once it is initialised. */
export function makeReady(): void {
  readyResolve();
}

// Renderer side (the preload bundle).
export const exposed = new Map<string, any>();
export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    record('contextBridge.exposeInMainWorld', key);
    exposed.set(key, api);
  },
};

/** What the preload sent and invoked; `invokeAnswer` computes invoke results. */
export const rendererSent: { channel: string; args: unknown[] }[] = [];
export const rendererListeners = new Map<string, Listener[]>();
export let invokeAnswer: (channel: string, args: unknown[]) => unknown = () => undefined;
export function setInvokeAnswer(f: typeof invokeAnswer): void {
  invokeAnswer = f;
}
export const ipcRenderer = {
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    rendererSent.push({ channel, args });
    return invokeAnswer(channel, args);
  },
  send(channel: string, ...args: unknown[]): void {
    rendererSent.push({ channel, args });
  },
  on(channel: string, l: Listener): void {
    rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), l]);
  },
  off(channel: string, l: Listener): void {
    rendererListeners.set(
      channel,
      (rendererListeners.get(channel) ?? []).filter((x) => x !== l),
    );
  },
};

/** Deliver a main → renderer message to the preload's listeners, with the event object Electron passes. */
export function sendToRenderer(channel: string, ...args: unknown[]): void {
  for (const l of rendererListeners.get(channel) ?? []) l({ sender: 'ipc-event-object' }, ...args);
}

/** Forget everything recorded (registrations stay: modules register once at import). */
export function clearCalls(): void {
  calls.length = 0;
}

export function resetReady(): void {
  ready = new Promise<void>((r) => (readyResolve = r));
}

export const BrowserWindow = FakeBrowserWindow;

export default {
  app,
  BrowserWindow,
  protocol,
  ipcMain,
  dialog,
  shell,
  net,
  contextBridge,
  ipcRenderer,
};
