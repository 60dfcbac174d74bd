import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../../../engine/language/lexer.js';

const words = (line: string, env = {}) => tokenize(line, env).map((t) => t.value);

test('words split on white space', () => {
  assert.deepEqual(words('  vm   config  memory 1024 '), ['vm', 'config', 'memory', '1024']);
});

test('double and single quotes group words and may join with plain text', () => {
  assert.deepEqual(words('shell echo "a b" \'c d\''), ['shell', 'echo', 'a b', 'c d']);
  assert.deepEqual(words('x"y z"w'), ['xy zw']);
  assert.deepEqual(words('""'), ['']);
});

test('an unterminated quote is an error', () => {
  assert.throws(() => tokenize('echo "abc'), { message: 'missing terminal "' });
});

test('a # at the start of a word starts a comment', () => {
  assert.deepEqual(words('# all comment'), []);
  assert.deepEqual(words('vm info # trailing'), ['vm', 'info']);
  assert.deepEqual(words('vm tag x color "#fff"'), ['vm', 'tag', 'x', 'color', '#fff']);
  assert.deepEqual(words('a#b'), ['a#b']);
});

test('$VAR and ${VAR} expand outside single quotes and unset ones stay literal', () => {
  const env = { images: '/srv/img', HOME: '/root' };
  assert.deepEqual(words('vm config filesystem $images/fs', env), ['vm', 'config', 'filesystem', '/srv/img/fs']);
  assert.deepEqual(words('"${HOME}/x" \'$HOME\' $NOPE', env), ['/root/x', '$HOME', '$NOPE']);
});
