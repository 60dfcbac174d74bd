import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineTooLong } from '../../../../engine/api/wire.js';
import { JsonValueSplitter } from '../../../../engine/daemon/minimega-framing.js';

const split = (...chunks: string[]) => {
  const s = new JsonValueSplitter(1000);
  return chunks.flatMap((c) => s.push(c));
};

test('requests back to back without newlines, as the Python bindings send them, each end where their value closes', () => {
  assert.deepEqual(split('{"Command": "version"}'), ['{"Command": "version"}']);
  assert.deepEqual(split('{"Command":"a"}{"Command":"b"}  {"Suggest":"vm"}'), ['{"Command":"a"}', '{"Command":"b"}', '{"Suggest":"vm"}']);
  assert.deepEqual(split('{"Command":"vm info"}\n', '{"Command":"host"}\n'), ['{"Command":"vm info"}', '{"Command":"host"}'], "miniclient's newlines");
});

test('braces and quotes inside strings, escapes, nesting and chunk boundaries anywhere', () => {
  assert.deepEqual(split('{"Comm', 'and":"echo }{ ]', '["}'), ['{"Command":"echo }{ ]["}']);
  assert.deepEqual(split('{"Command":"say \\"}\\" \\\\"}', '{"a":[1,{"b":[2]}]}'), ['{"Command":"say \\"}\\" \\\\"}', '{"a":[1,{"b":[2]}]}']);
  const whole = '{"Command":"x","Data":[{"k":"}"}]}';
  for (let i = 1; i < whole.length; i++) assert.deepEqual(split(whole.slice(0, i), whole.slice(i)), [whole], `split at ${i}`);
});

test('pipe lines are JSON strings back to back; bare scalars end at white space', () => {
  assert.deepEqual(split('"one\\n""two\\n"', '\n"three"'), ['"one\\n"', '"two\\n"', '"three"']);
  assert.deepEqual(split('42 true\nnull'), ['42', 'true']);
});

test('a newline ends a malformed request, so it gets its error reply; blank lines are nothing', () => {
  assert.deepEqual(split('{not json\n{"Command":"x"}'), ['{not json', '{"Command":"x"}']);
  assert.deepEqual(split('{"Command":"unterminated\n'), ['{"Command":"unterminated']);
  assert.deepEqual(split('\n \r\n\t\n'), []);
});

test('a request past the limit throws LineTooLong as it arrives, whole or in pieces', () => {
  const s = new JsonValueSplitter(10);
  assert.throws(() => s.push('{"a":"0123456789"}'), LineTooLong);
  const t = new JsonValueSplitter(10);
  t.push('{"a":"01');
  assert.throws(() => t.push('23456789'), LineTooLong);
  const u = new JsonValueSplitter(10);
  assert.throws(() => u.push('y'.repeat(11)), LineTooLong);
});
