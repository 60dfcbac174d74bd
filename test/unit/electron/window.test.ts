import assert from 'node:assert/strict';
import { test } from 'node:test';
import { electronModule, fake } from './load.js';

interface WindowModule {
  APP_ORIGIN: string;
  CSP: string;
  registerAppScheme(): void;
  serveAppProtocol(): void;
  isConsoleUrl(raw: string): number | undefined;
  isExternalLink(raw: string): boolean;
  createMainWindow(onConsole: (url: string) => void): unknown;
  createConsoleWindow(url: string, onConsole: (url: string) => void): unknown;
}

const w = await electronModule<WindowModule>('window');

test('every window is sandboxed, context-isolated, without node or webviews, with our preload', () => {
  const opened: string[] = [];
  w.createMainWindow((u) => opened.push(u));
  w.createConsoleWindow(`${w.APP_ORIGIN}/index.html?console=3&name=web1`, (u) => opened.push(u));
  const [main, con] = fake.windows.slice(-2);
  for (const win of [main!, con!]) {
    const p = win.options.webPreferences;
    assert.equal(p.contextIsolation, true);
    assert.equal(p.sandbox, true);
    assert.equal(p.nodeIntegration, false);
    assert.equal(p.webSecurity, true);
    assert.equal(p.webviewTag, false);
    assert.equal(p.disableBlinkFeatures, 'Auxclick');
    assert.match(p.preload, /\/dist\/electron\/preload\.cjs$/);
    assert.equal(win.options.show, false, 'shown only on ready-to-show');
  }
  assert.equal(main!.loaded, `${w.APP_ORIGIN}/index.html`);
  assert.equal(con!.options.title, 'web1 — nanomega console');
  main!.emit('ready-to-show');
  assert.equal(main!.shown, true);
});

test('navigation, redirects, webviews, permissions and window.open are refused; console windows and https links are routed', () => {
  const opened: string[] = [];
  fake.clearCalls();
  w.createMainWindow((u) => opened.push(u));
  const wc = fake.windows.at(-1)!.webContents;
  assert.equal(wc.tryNavigate('will-navigate', 'https://evil.example/'), true);
  assert.equal(wc.tryNavigate('will-redirect', 'https://evil.example/'), true);
  assert.equal(wc.tryNavigate('will-attach-webview', 'https://evil.example/'), true);
  let allowed: boolean | undefined;
  wc.permissionHandler!(wc, 'media', (a) => (allowed = a));
  assert.equal(allowed, false);

  const open = (url: string) => wc.windowOpenHandler!({ url }).action;
  assert.equal(open(`${w.APP_ORIGIN}/index.html?console=7`), 'deny');
  assert.deepEqual(opened, [`${w.APP_ORIGIN}/index.html?console=7`]);
  assert.equal(open('https://github.com/sandia-minimega/minimega'), 'deny');
  for (const bad of [
    'http://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'https://user:pw@example.com/',
    `${w.APP_ORIGIN}/index.html?console=x`,
  ]) {
    assert.equal(open(bad), 'deny');
  }
  const external = fake.calls.filter((c) => c.api === 'shell.openExternal').map((c) => c.args[0]);
  assert.deepEqual(external, ['https://github.com/sandia-minimega/minimega']);
  assert.equal(opened.length, 1, 'only our console URL opens a window');
});

test('isConsoleUrl accepts only our origin and a numeric id', () => {
  assert.equal(w.isConsoleUrl(`${w.APP_ORIGIN}/index.html?console=12`), 12);
  assert.equal(w.isConsoleUrl(`${w.APP_ORIGIN}/?console=0`), 0);
  assert.equal(w.isConsoleUrl(`${w.APP_ORIGIN}/other.html?console=1`), undefined);
  assert.equal(w.isConsoleUrl('app://evil/index.html?console=1'), undefined);
  assert.equal(w.isConsoleUrl(`${w.APP_ORIGIN}/index.html?console=1e3`), undefined);
  assert.equal(w.isConsoleUrl('not a url'), undefined);
});

test('app:// is registered privileged before ready and serves only dist/renderer, with the CSP', async () => {
  w.registerAppScheme();
  assert.deepEqual(fake.privilegedSchemes.at(-1), { scheme: 'app', privileges: { standard: true, secure: true } });
  w.serveAppProtocol();
  const handle = fake.schemes.get('app')!;
  const index = await handle({ url: `${w.APP_ORIGIN}/index.html` });
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('Content-Security-Policy'), w.CSP);
  assert.equal(index.headers.get('X-Content-Type-Options'), 'nosniff');
  assert.match(await index.text(), /<div id="app">/);
  assert.match(w.CSP, /script-src 'self'/);
  assert.match(w.CSP, /connect-src 'none'/);
  assert.match(w.CSP, /object-src 'none'/);
  assert.doesNotMatch(w.CSP, /unsafe-eval/);
  for (const url of [
    `${w.APP_ORIGIN}/%2e%2e/%2e%2e/package.json`,
    `${w.APP_ORIGIN}/..%2f..%2fpackage.json`,
    'app://elsewhere/index.html',
    `${w.APP_ORIGIN}/%2fetc%2fpasswd`,
  ]) {
    const res = await handle({ url });
    assert.equal(res.status, 404, url);
  }
});
