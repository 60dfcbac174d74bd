import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../../../engine/api/errors.js';
import { bridgeOf } from '../../../engine/api/wire-client.js';
import { fake } from './load.js';

// The preload is a CommonJS bundle (dist/electron/preload.cjs) that requires 'electron': seed require's
// cache with the fake under electron's own resolved path, then load it as Electron would.
const require = createRequire(import.meta.url);
const electronPath = require.resolve('electron');
require.cache[electronPath] = { id: electronPath, filename: electronPath, loaded: true, exports: fake } as unknown as NodeJS.Module;
require(fileURLToPath(new URL('../../../electron/preload.cjs', import.meta.url)));

const transport = fake.exposed.get('engineTransport');
// What renderer/main.ts does with it: the page's own EngineBridge, errors as EngineError with the code.
const engine = bridgeOf(transport);
const pty = fake.exposed.get('nanomegaPty');

test('exactly three objects reach the page: the engine transport, the command pane and capture saving', () => {
  assert.deepEqual([...fake.exposed.keys()].sort(), ['engineTransport', 'nanomegaFiles', 'nanomegaPty']);
  assert.deepEqual(Object.keys(fake.exposed.get('nanomegaFiles') as object), ['saveCapture']);
  assert.deepEqual(Object.keys(transport).sort(), ['on', 'request']);
  assert.deepEqual(Object.keys(pty).sort(), ['input', 'onData', 'onExit', 'resize', 'start']);
});

test('calls go over one channel with their name and args; a failed call keeps its code across contextBridge', async () => {
  fake.setInvokeAnswer((channel, args) =>
    args[0] === 'vm.info' ? { ok: true, value: [{ name: 'web1' }] } : { ok: false, error: { code: 'E_STATE', message: 'VM state error: web1' } },
  );
  assert.deepEqual(await engine.call('vm.info'), [{ name: 'web1' }]);
  assert.deepEqual(fake.rendererSent.at(-1), { channel: 'engine:call', args: ['vm.info', []] });
  // contextBridge keeps only an Error's message: the preload answers plain Results, the page unwraps them.
  assert.deepEqual(await transport.request('vm.start', ['web1']), { ok: false, error: { code: 'E_STATE', message: 'VM state error: web1' } });
  await assert.rejects(
    engine.call('vm.start', 'web1'),
    (e: unknown) => e instanceof EngineError && e.code === 'E_STATE' && e.message === 'VM state error: web1',
  );
  const sent = fake.rendererSent.length;
  await assert.rejects(
    engine.call('no.such.call' as 'vm.info'),
    (e: unknown) => e instanceof EngineError && e.code === 'E_PROTOCOL' && /unknown call/.test(e.message),
  );
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
  assert.throws(() => engine.on('no.such.event' as 'engine.log', () => undefined), /unknown event/);
});

test('the command pane coerces what the page passes before it crosses to main', () => {
  pty.input({ toString: () => 'ls\r' });
  assert.deepEqual(fake.rendererSent.at(-1), { channel: 'pty:input', args: ['ls\r'] });
  pty.resize('80', '24x');
  assert.deepEqual(
    fake.rendererSent.at(-1)!.args.map((x) => typeof x),
    ['number', 'number'],
  );
  const data: string[] = [];
  const off = pty.onData((d: string) => data.push(d));
  fake.sendToRenderer('pty:data', 'hello');
  off();
  fake.sendToRenderer('pty:data', 'after off');
  assert.deepEqual(data, ['hello']);
});
