import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKeys, encodeKeys, parseRecording, stripAnsi } from '../../../../engine/console-script/keys.js';

test('console text: escapes and key names decode to what a terminal sends', () => {
  assert.equal(decodeKeys('ls -l<enter>'), 'ls -l\r');
  assert.equal(decodeKeys('a\\nb\\tc\\e\\x41\\u00e9\\\\'), 'a\nb\tc\x1bAé\\');
  assert.equal(decodeKeys('<CTRL-C><ctrl-d><c-z><up><F5><pgdn><bs>'), '\x03\x04\x1a\x1b[A\x1b[15~\x1b[6~\x7f');
  assert.equal(decodeKeys('cat < file > out <not a key> <>'), 'cat < file > out <not a key> <>');
  assert.throws(() => decodeKeys('bad\\q'), /bad escape `\\q`/);
  assert.throws(() => decodeKeys('bad\\x4'), /bad escape `\\x4`/);
  assert.throws(() => decodeKeys('trailing\\'), /lone backslash/);
});

test('recordings round-trip every byte, and their lines parse with their delays', () => {
  const typed = ['echo <x> \\ ok\r', '\x1b[A\x03', 'é\t\n\x7f'];
  for (const t of typed) assert.equal(decodeKeys(encodeKeys(t)), t);
  const body = `# header\n12:${encodeKeys(typed[0]!)}\n\n0:${encodeKeys(typed[1]!)}\n`;
  assert.deepEqual(parseRecording(body, 'f.rec'), [
    { delayMs: 12, text: typed[0] },
    { delayMs: 0, text: typed[1] },
  ]);
  assert.throws(() => parseRecording('x:y\n', 'f.rec'), /f\.rec:1: want `<ms>:<text>`/);
});

test('expect matches text without control sequences', () => {
  assert.equal(stripAnsi('\x1b[1;32mroot@c0\x1b[0m:~# \r\n\x1b]0;title\x07ok\x1b(B'), 'root@c0:~# \nok');
});
