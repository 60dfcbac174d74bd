import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTranscript, runTranscript } from '../../../../engine/language/transcript.js';
import { FakeEngine, session, vm } from './fake.js';
import { goDuration } from '../../../../engine/language/format.js';

test('a script produces minitest’s transcript', async () => {
  const e = new FakeEngine();
  e.vms = [vm(0, 'foo0'), vm(1, 'foo1')];
  const { s } = session(e);
  const script = ['.annotate false', '# a comment', '', 'vm config memory foo', '.columns name,state vm info', 'vm launch container foo,all'].join('\n') + '\n';
  const got = await runTranscript(script, (l) => s.exec(l));
  assert.equal(
    got,
    [
      '## .annotate false',
      '## # a comment',
      '',
      '## vm config memory foo',
      'E: strconv.ParseUint: parsing "foo": invalid syntax',
      '## .columns name,state vm info',
      'name | state',
      'foo0 | BUILDING',
      'foo1 | BUILDING',
      '## vm launch container foo,all',
      'E: invalid vm name, `all` is a reserved word',
      '',
    ].join('\n'),
  );
});

test('errors are sorted before the output', async () => {
  const got = await runTranscript('x\n', async () => ({ output: 'out', errors: ['b', 'a'] }));
  assert.equal(got, '## x\nE: a\nE: b\nout\n');
});

test('compareTranscript is empty for equal text and a diff otherwise', () => {
  assert.equal(compareTranscript('a\nb\n', 'a\nb\n'), '');
  const d = compareTranscript('a\nB\nc\n', 'a\nb\nc\n');
  assert.match(d, /^-b$/m);
  assert.match(d, /^\+B$/m);
  assert.match(d, /^ a$/m);
});

test('uptime uses Go duration text', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(250), '250ms');
  assert.equal(goDuration(1500), '1.5s');
  assert.equal(goDuration(62_000), '1m2s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});
