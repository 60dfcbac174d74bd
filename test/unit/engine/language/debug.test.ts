// minimega's `debug` forms and `args`: what each asks the daemon for, what they print, and the daemon's errors as E: lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeEngine, session } from './fake.js';

test('debug forms map to the daemon calls; without arguments one runtime row', async () => {
  const e = new FakeEngine();
  e.answers.set('debug.info', { runtime: 'node v20.0.0', resources: 7, heapBytes: 1234 });
  const { s } = session(e);
  await s.exec('.annotate false');
  for (const line of ['debug memory heap.snap', 'debug goroutine /tmp/r.json', 'debug cpu start cpu.prof', 'debug cpu stop']) {
    assert.deepEqual((await s.exec(line)).errors, [], line);
  }
  assert.deepEqual(
    e.calls.filter((c) => c.name.startsWith('debug.')).map((c) => [c.name, ...c.args]),
    [
      ['debug.write', 'memory', 'heap.snap'],
      ['debug.write', 'goroutine', '/tmp/r.json'],
      ['debug.cpu', 'start', 'cpu.prof'],
      ['debug.cpu', 'stop', undefined],
    ],
  );
  assert.equal((await s.exec('debug')).output, 'runtime      | handles | heap\nnode v20.0.0 | 7       | 1234');
  assert.match((await s.exec('debug cpu')).errors.join(), /invalid command|Usage/);
});

test("args prints the daemon's options as one row, columns sorted by name", async () => {
  const e = new FakeEngine();
  e.answers.set('engine.args', { freezer: 'v2', base: '/run/nanomega', filepath: '/run/nanomega/files' });
  const { s } = session(e);
  await s.exec('.annotate false');
  assert.equal((await s.exec('args')).output, 'base          | filepath            | freezer\n/run/nanomega | /run/nanomega/files | v2');
});
