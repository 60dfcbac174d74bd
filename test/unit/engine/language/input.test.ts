import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexInput } from '../../../../engine/language/input.js';

test('words split on white space', () => {
  assert.deepEqual(lexInput('  vm   config  memory 1024 '), ['vm', 'config', 'memory', '1024']);
});

test('double and single quotes group words, may be empty and join with plain text', () => {
  assert.deepEqual(lexInput('shell echo "a b" \'c d\''), ['shell', 'echo', 'a b', 'c d']);
  assert.deepEqual(lexInput('x"y z"w'), ['xy zw']);
  assert.deepEqual(lexInput('.env X ""'), ['.env', 'X', '']);
});

test('an unterminated quote and a bad escape are minicli errors', () => {
  assert.throws(() => lexInput('echo "abc'), { message: 'missing terminal "' });
  assert.throws(() => lexInput("echo 'abc"), { message: "missing terminal '" });
  assert.throws(() => lexInput('echo a\\q'), { message: 'unexpected escaped character: q' });
  assert.throws(() => lexInput('echo a\\'), { message: 'expected escape character' });
});

test('escapes give the character', () => {
  assert.deepEqual(lexInput('echo \\"q\\" \\# "x\\ty" \\\\'), ['echo', '"q"', '#', 'x\ty', '\\']);
  assert.throws(() => lexInput('echo a\\ b'), { message: 'unexpected escaped character:  ' });
});

test('an unquoted # anywhere starts a comment', () => {
  assert.deepEqual(lexInput('# all comment'), []);
  assert.deepEqual(lexInput('vm config net A # should be 102'), ['vm', 'config', 'net', 'A']);
  assert.deepEqual(lexInput('vm tag x color "#fff"'), ['vm', 'tag', 'x', 'color', '#fff']);
  assert.deepEqual(lexInput('a#b'), ['a']);
});

test('$VAR is left for the preprocessor', () => {
  assert.deepEqual(lexInput('vm config filesystem $images/fs'), ['vm', 'config', 'filesystem', '$images/fs']);
});

test('a 1 MB line lexes in linear time', () => {
  const big = 'x'.repeat(1 << 20);
  const words = lexInput(`echo ${big} "${big}"`);
  assert.equal(words.length, 3);
  assert.equal(words[2]!.length, 1 << 20);
});
