// plumb, pipe, file and their clear verbs through a session: the calls they make (bound to the
// command's namespace) and minimega's tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeEngine, session } from './fake.js';
import { FILE_PART_BYTES } from '../../../../engine/files/files.js';
import { STREAM_COLLECT_MAX } from '../../../../engine/language/session.js';

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

/** A file of the fake engine's files directory, served part by part as the engine's file.read does. */
function serve(e: FakeEngine, bytes: Buffer): void {
  e.answers.set('file.read', (_path: string, offset: number, length: number) => {
    const data = bytes.subarray(offset, offset + length);
    return { data: data.toString('base64'), offset, size: bytes.length, eof: offset + data.length >= bytes.length };
  });
}

test('file stream: one response per 10 MiB part, each read as the client takes the one before', async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  const bytes = Buffer.alloc(FILE_PART_BYTES * 2 + 12345);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i % 251;
  serve(e, bytes);
  const reads = () => e.calls.filter((c) => c.name === 'file.read').length;
  const parts: string[] = [];
  const readsWhenEmitted: number[] = [];
  await s.stream('file stream big.iso', (c) => {
    readsWhenEmitted.push(reads());
    parts.push(c.response.data as string);
  });
  assert.deepEqual(readsWhenEmitted, [1, 2, 3], 'each part is read only once the one before is out');
  assert.deepEqual(
    e.calls.filter((c) => c.name === 'file.read').map((c) => c.args),
    [
      ['big.iso', 0, FILE_PART_BYTES],
      ['big.iso', FILE_PART_BYTES, FILE_PART_BYTES],
      ['big.iso', FILE_PART_BYTES * 2, FILE_PART_BYTES],
    ],
  );
  assert.ok(Buffer.concat(parts.map((p) => Buffer.from(p, 'base64'))).equals(bytes));
  // A client that does not stream collects the parts; an empty file answers nothing.
  assert.equal((await s.chunks('file stream big.iso')).length, 3);
  serve(e, Buffer.alloc(0));
  assert.deepEqual(await s.chunks('file stream empty'), []);
  e.answers.set('file.read', () => {
    throw new Error('stream nope: file not found');
  });
  assert.deepEqual(await s.exec('file stream nope'), { output: '', errors: ['stream nope: file not found'] });
});

test('file stream: a client that collects stops at STREAM_COLLECT_MAX with an error; .json prints the data', async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  serve(e, Buffer.alloc(STREAM_COLLECT_MAX)); // its base64 is a third larger
  const chunks = await s.chunks('file stream huge');
  assert.deepEqual(chunks.at(-1)!.response.errors, ['output over 64 MiB: this client collects it; the minimega socket streams it']);
  assert.ok(chunks.length < 8, 'collection stopped');
  serve(e, Buffer.from('hi'));
  const out = JSON.parse((await s.exec('.json true file stream small')).output) as { Data: string }[];
  assert.equal(Buffer.from(out[0]!.Data, 'base64').toString(), 'hi');
});
