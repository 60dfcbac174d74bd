import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fake } from './load.js';

// The preload is a CommonJS bundle (dist/electron/preload.cjs) that requires 'electron': seed require's
// cache with the fake under electron's own resolved path, then load it as Electron would.
const require = createRequire(import.meta.url);
const electronPath = require.resolve('electron');
require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: fake } as unknown as NodeJS.Module;
require(fileURLToPath(new URL('../../../electron/preload.cjs', import.meta.url)));

const engine = fake.exposed.get('engine');
const pty = fake.exposed.get('nanomegaPty');

test('exactly two objects reach the page: the engine contract and the command pane', () => {
  assert.deepEqual([...fake.exposed.keys()].sort(), ['engine', 'nanomegaPty']);
  assert.deepEqual(Object.keys(engine).sort(), ['call', 'on']);
  assert.deepEqual(Object.keys(pty).sort(), ['input', 'onData', 'onExit', 'resize', 'start']);
});

test('calls go over one channel with their name and args; errors become Error with the message only', async () => {
  fake.setInvokeAnswer((channel, args) =>
    args[0] === 'vm.info' ? { ok: true, value: [{ name: 'web1' }] } : { ok: false, error: { code: 'E_STATE', message: 'VM state error: web1' } },
  );
  assert.deepEqual(await engine.call('vm.info'), [{ name: 'web1' }]);
  assert.deepEqual(fake.rendererSent.at(-1), { channel: 'engine:call', args: ['vm.info', []] });
  await assert.rejects(engine.call('vm.start', 'web1'), { message: 'VM state error: web1' });
  const sent = fake.rendererSent.length;
  await assert.rejects(engine.call('no.such.call'), /unknown call/);
  assert.equal(fake.rendererSent.length, sent, 'an unknown call is refused before IPC');
});

test('events: one subscription per name, the page gets the payload only, unsubscribed with the last listener', () => {
  const got: unknown[][] = [];
  const off1 = engine.on('containers.changed', (p: unknown) => got.push(['a', p]));
  const off2 = engine.on('containers.changed', (p: unknown) => got.push(['b', p]));
  assert.equal(fake.rendererSent.filter((s) => s.channel === 'engine:subscribe').length, 1);
  fake.sendToRenderer('engine:event', 'containers.changed', [{ id: 3 }]);
  assert.deepEqual(got, [
    ['a', [{ id: 3 }]],
    ['b', [{ id: 3 }]],
  ]);
  off1();
  assert.equal(fake.rendererSent.filter((s) => s.channel === 'engine:unsubscribe').length, 0);
  off2();
  assert.deepEqual(fake.rendererSent.filter((s) => s.channel === 'engine:unsubscribe').at(-1)?.args, ['containers.changed']);
  assert.throws(() => engine.on('no.such.event', () => undefined), /unknown event/);
});

test('the command pane coerces what the page passes before it crosses to main', () => {
  pty.input({ toString: () => 'ls\r' });
  assert.deepEqual(fake.rendererSent.at(-1), { channel: 'pty:input', args: ['ls\r'] });
  pty.resize('80', '24x');
  assert.deepEqual(fake.rendererSent.at(-1)!.args.map((x) => typeof x), ['number', 'number']);
  const data: string[] = [];
  const off = pty.onData((d: string) => data.push(d));
  fake.sendToRenderer('pty:data', 'hello');
  off();
  fake.sendToRenderer('pty:data', 'after off');
  assert.deepEqual(data, ['hello']);
});
