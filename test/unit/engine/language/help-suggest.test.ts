import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HANDLERS } from '../../../../engine/language/table.js';
import { FakeEngine, session, vm } from './fake.js';

test('help lists every pattern of every command with its one-line help', async () => {
  const { s } = session();
  await s.exec('.annotate false');
  const out = (await s.exec('help')).output;
  assert.match(out, /^Display help on a command. Here is a list of commands:\n/);
  for (const h of HANDLERS) for (const p of h.patterns) assert.ok(out.includes(`${p} \t`), p);
  assert.match(out, /\nvm info \[summary,\] \t+ :\t print information about VMs \t/);
});

test('help CMD gives the usage and long help of one command, by prefix', async () => {
  const { s } = session();
  await s.exec('.annotate false');
  const out = (await s.exec('help vm inf')).output;
  assert.match(out, /^Usage:\n\tvm info \[summary,\]\n\nA table of the containers/);
  assert.match((await s.exec('help read')).output, /^Usage:\n\tread <file> \[check,\]\n/);
  assert.equal((await s.exec('help nosuchthing')).output, 'no help entry for `nosuchthing`');
  assert.match((await s.exec('help background')).output, /background-status/, 'a prefix of several commands lists them');
});

test('suggest completes words from the table and VM names from the engine', async () => {
  const e = new FakeEngine();
  e.vms = [vm(0, 'foo0'), vm(1, 'foo1'), vm(2, 'bar')];
  const { s } = session(e);
  assert.deepEqual(await s.suggest('vm in'), ['info']);
  assert.ok((await s.suggest('vm ')).includes('launch'));
  assert.deepEqual(await s.suggest('vm start fo'), ['foo0', 'foo1']);
  assert.deepEqual(await s.suggest('vm kill '), ['all', 'bar', 'foo0', 'foo1']);
  assert.deepEqual(await s.suggest('vm info s'), ['summary']);
  assert.deepEqual(await s.suggest('.col'), ['.columns']);
  assert.deepEqual(await s.suggest('.filter a=b vm in'), ['info'], 'inside a nested command');
  assert.deepEqual(await s.suggest('zzz'), []);
  assert.deepEqual(await s.suggest('echo $ima'), ['$images']);
  assert.deepEqual(await s.complete('vm in'), ['vm info ']);
  assert.deepEqual(await s.complete('vm start fo'), ['vm start foo0 ', 'vm start foo1 ']);
});
