import { BrowserWindow, net, protocol, shell, type WebContents } from 'electron';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The app is served from this origin; nothing else may run in our windows. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'nanomega';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

/** Serve dist/renderer under app://nanomega/ with a strict CSP; no path may leave that directory. */
export function serveAppProtocol(): void {
  protocol.handle(APP_SCHEME, async (req) => {
    const url = new URL(req.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = normalize(join(RENDERER_DIR, rel));
    if (!file.startsWith(normalize(RENDERER_DIR + sep))) return new Response('not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

/**
 * Is this URL on our app:// origin? Compared by scheme and host: Node's URL (which Electron's main process
 * uses) gives every non-special scheme the opaque origin "null", whatever Chromium registers.
 */
export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Is this one of our own console-window URLs (app://nanomega/index.html?console=N…)? */
export function isConsoleUrl(raw: string): number | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (!isAppUrl(raw) || (url.pathname !== '/' && url.pathname !== '/index.html')) return undefined;
  const id = url.searchParams.get('console');
  return id !== null && /^\d{1,9}$/.test(id) ? Number(id) : undefined;
}

/** Links the app may hand to the system browser: https only, no credentials in the URL. */
export function isExternalLink(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

function secure(win: BrowserWindow, onConsole: (url: string) => void): void {
  const wc: WebContents = win.webContents;
  // Only our console windows may open; they are created by us, not by window.open.
  wc.setWindowOpenHandler(({ url }) => {
    if (isConsoleUrl(url) !== undefined) onConsole(url);
    else if (isExternalLink(url)) shell.openExternal(url).catch(() => undefined); // Best-effort: links in help text open in the browser, if there is one
    return { action: 'deny' };
  });
  wc.on('will-navigate', (e) => e.preventDefault());
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.session.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
}

function create(opts: { width: number; height: number; title: string }, onConsole: (url: string) => void): BrowserWindow {
  const win = new BrowserWindow({
    ...opts,
    show: false, // shown on 'ready-to-show' to avoid a blank flash
    backgroundColor: '#0d1117',
    webPreferences: {
      preload: PRELOAD, // bundled CommonJS: sandboxed preloads cannot require local files
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would open links in new windows past setWindowOpenHandler's checks.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  secure(win, onConsole);
  win.once('ready-to-show', () => win.show());
  return win;
}

export function createMainWindow(onConsole: (url: string) => void): BrowserWindow {
  const win = create({ width: 1280, height: 820, title: 'nanomega' }, onConsole);
  win.loadURL(`${APP_ORIGIN}/index.html`).catch((e: unknown) => console.error(`nanomega: loading the app: ${String(e)}`));
  return win;
}

/** A console in its own window: own daemon connection, own stream and flow control. */
export function createConsoleWindow(url: string, onConsole: (url: string) => void): BrowserWindow {
  const name = new URL(url).searchParams.get('name') ?? 'console';
  const win = create({ width: 860, height: 540, title: `${name} — nanomega console` }, onConsole);
  win.loadURL(url).catch((e: unknown) => console.error(`nanomega: loading ${url}: ${String(e)}`));
  return win;
}
