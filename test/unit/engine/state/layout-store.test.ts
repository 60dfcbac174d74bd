import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { checkLayout, LayoutStore } from '../../../../engine/state/layout-store.js';

test('layouts are kept per namespace, in files named safely whatever the namespace is called', async () => {
  const host = new FakeHost();
  const s = new LayoutStore(host, '/base');
  assert.equal(await s.get(''), null);
  await s.set('', { positions: { 'vm:1': { x: 1, y: 2 } }, savedAt: 5 });
  await s.set('../../etc', { positions: { 'vm:2': { x: 3, y: 4 } }, savedAt: 6 });
  assert.deepEqual(await s.get(''), { positions: { 'vm:1': { x: 1, y: 2 } }, savedAt: 5 });
  assert.deepEqual((await s.get('../../etc'))!.positions, { 'vm:2': { x: 3, y: 4 } });
  assert.ok(host.files.has('/base/layouts/default.json'));
  assert.ok(host.files.has(`/base/layouts/ns-${Buffer.from('../../etc').toString('hex')}.json`));
  assert.ok([...host.files.keys()].every((p) => p.startsWith('/base/layouts/')));
});

test('only finite positions under short keys are stored; a __proto__ key stays a key', () => {
  assert.throws(() => checkLayout({ positions: { a: { x: Number.NaN, y: 1 } }, savedAt: 1 }), /position of `a` is not two numbers/);
  assert.throws(() => checkLayout({ positions: { ['k'.repeat(400)]: { x: 1, y: 1 } }, savedAt: 1 }), /node key longer/);
  assert.throws(() => checkLayout({ positions: null } as never), /positions missing/);
  const clean = checkLayout(JSON.parse('{"positions":{"__proto__":{"x":1,"y":2},"b":{"x":3,"y":4,"evil":true}},"savedAt":1}'));
  assert.deepEqual(Object.keys(clean.positions).sort(), ['__proto__', 'b']);
  assert.deepEqual(clean.positions.b, { x: 3, y: 4 });
  assert.equal(Object.getPrototypeOf(clean.positions), Object.prototype);
});
