import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { electronModule, fake } from './load.js';

const base = mkdtempSync(join(tmpdir(), 'nm-main-'));
after(() => rmSync(base, { recursive: true, force: true }));
process.env.NANOMEGA_BASE = base;
delete process.env.NANOMEGA_PROGRAM;

await electronModule('main');

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
};

test('before ready: the app:// scheme is privileged and the sandbox is on for every renderer', () => {
  const apis = fake.calls.map((c) => c.api);
  assert.ok(apis.includes('protocol.registerSchemesAsPrivileged'));
  assert.ok(apis.includes('app.enableSandbox'));
  assert.ok(apis.indexOf('app.enableSandbox') < apis.indexOf('app.whenReady'));
  assert.equal(fake.windows.length, 0, 'no window before ready');
});

test('when ready without a daemon: asks to start it (the user declines), then opens the main window wired to IPC', async () => {
  fake.makeReady();
  await until(() => fake.windows.length === 1);
  const ask = fake.calls.find((c) => c.api === 'dialog.showMessageBox');
  assert.ok(ask, 'the user was asked');
  const opts = ask!.args[0] as { buttons: string[]; detail: string; message: string };
  assert.deepEqual(opts.buttons, ['Start with pkexec', 'Continue without']);
  assert.match(opts.message, new RegExp(`${base}/nanomega.sock`));
  assert.match(opts.detail, new RegExp(`serve --base ${base}`));
  assert.doesNotMatch(opts.detail, /ELECTRON_RUN_AS_NODE/);
  assert.equal(fake.windows[0]!.loaded, 'app://nanomega/index.html');
  assert.ok(fake.schemes.has('app'));
  for (const ch of ['engine:call', 'pty:start']) assert.ok(fake.handlers.has(ch), ch);
  assert.ok(!fake.calls.some((c) => c.api === 'dialog.showErrorBox'));
});

test('every web contents created later is locked down too; closing the last window quits', () => {
  const wc = new fake.FakeWebContents('app://nanomega/index.html');
  fake.appEvents.emit('web-contents-created', {}, wc);
  assert.equal(wc.tryNavigate('will-navigate', 'https://evil.example/'), true);
  assert.deepEqual(wc.windowOpenHandler!({ url: 'https://example.com/' }), { action: 'deny' });
  fake.clearCalls();
  fake.appEvents.emit('window-all-closed');
  assert.deepEqual(
    fake.calls.map((c) => c.api),
    ['app.quit'],
  );
});
