// plumb, pipe, file and their clear verbs through a session: the calls they make (bound to the
// command's namespace) and minimega's tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeEngine, session } from './fake.js';

function last(e: FakeEngine) {
  return { ...e.calls.at(-1)!, namespace: e.namespaces.at(-1) };
}

test("plumb and clear plumb: elements as typed, bound to the namespace; the list is minimega's table", async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  await s.exec('namespace lab');
  await s.exec('plumb a "sed -u s/x/y/" b');
  assert.deepEqual(last(e), { name: 'plumb.add', args: [['a', 'sed -u s/x/y/', 'b']], namespace: 'lab' });
  e.answers.set('plumb.list', ['lab//a sed -u s/x/y/ lab//b']);
  assert.equal((await s.exec('.annotate false plumb')).output, 'pipeline\nlab//a sed -u s/x/y/ lab//b');
  await s.exec('clear plumb a b');
  assert.deepEqual(last(e), { name: 'plumb.clear', args: [['a', 'b']], namespace: 'lab' });
  await s.exec('clear plumb');
  assert.deepEqual(last(e), { name: 'plumb.clear', args: [], namespace: 'lab' });
});

test('pipe writes, sets mode, log and via; clear pipe resets one setting or deletes', async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  await s.exec('pipe p0 "Hello to you."');
  assert.deepEqual(last(e), { name: 'pipe.write', args: ['p0', 'Hello to you.'], namespace: 'minimega' });
  await s.exec('pipe p0 mode round-robin');
  assert.deepEqual(last(e).args, ['p0', { mode: 'round-robin' }]);
  await s.exec('pipe p0 mode');
  assert.deepEqual(last(e), { name: 'pipe.write', args: ['p0', 'mode'], namespace: 'minimega' }, 'two words: a message, as minicli matches it');
  await s.exec('pipe p0 log true');
  assert.deepEqual(last(e).args, ['p0', { log: true }]);
  await s.exec('pipe p0 via normal -stddev 5.0');
  assert.deepEqual(last(e).args, ['p0', { via: ['normal', '-stddev', '5.0'] }]);
  await s.exec('clear pipe p0 via');
  assert.deepEqual(last(e).args, ['p0', 'via']);
  await s.exec('clear pipe p0');
  assert.deepEqual(last(e).args, ['p0']);
  await s.exec('clear pipe');
  assert.deepEqual(last(e).args, []);
  e.answers.set('pipe.list', [{ name: 'minimega//p0', mode: 'all', readers: 2, writers: 0, count: 1, via: '', previous: 'Hello to you.' }]);
  assert.equal(
    (await s.exec('.annotate false pipe')).output,
    'name         | mode | readers | writers | count | via | previous\nminimega//p0 | all  | 2       | 0       | 1     |     | Hello to you.',
  );
});

test('file list prints dir, name, size, modified; get, delete and status', async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  e.answers.set('file.list', [
    { dir: true, name: 'minitest/d', size: 4096, modified: 0 },
    { dir: false, name: 'minitest/f', size: 3, modified: 0 },
  ]);
  const out = (await s.exec('.annotate false file list /minitest recursive')).output.split('\n');
  assert.deepEqual(out[0]!.split(/\s*\|\s*/), ['dir', 'name', 'size', 'modified']);
  assert.match(
    out.find((l) => l.startsWith('<dir>'))!,
    /^<dir> \| minitest\/d \| 4096 \| 19(69|70)-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/,
  );
  assert.deepEqual(e.calls.at(-1), { name: 'file.list', args: ['/minitest', true] });
  await s.exec('file list');
  assert.deepEqual(e.calls.at(-1), { name: 'file.list', args: ['/', false] });
  await s.exec('file get /x');
  assert.deepEqual(e.calls.at(-1), { name: 'file.get', args: ['/x'] });
  await s.exec('file delete /x/*.txt');
  assert.deepEqual(e.calls.at(-1), { name: 'file.delete', args: ['/x/*.txt'] });
  assert.deepEqual(await s.exec('file status'), { output: '', errors: [] }, 'no transfers on one host: an empty table');
});
