import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Utf8Splitter, completePrefixLength } from '../../../../engine/console/utf8.js';

test('a complete string is not cut', () => {
  for (const s of ['', 'abc', 'é', '€', '😀', 'a€b😀']) assert.equal(completePrefixLength(Buffer.from(s)), Buffer.byteLength(s));
});

test('an incomplete trailing character is held back, whatever its length', () => {
  for (const ch of ['é', '€', '😀']) {
    const bytes = Buffer.from(`ab${ch}`);
    for (let cut = 1; cut < Buffer.byteLength(ch); cut++) {
      assert.equal(completePrefixLength(bytes.subarray(0, 2 + cut)), 2, `${ch} cut after ${cut} bytes`);
    }
  }
});

test('invalid bytes are never held back', () => {
  assert.equal(completePrefixLength(Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80])), 5);
  assert.equal(completePrefixLength(Buffer.from([0x61, 0xff])), 2);
});

test('a stream split at every byte decodes to the original text', () => {
  const text = 'héllo €uro 😀 done\r\n';
  const bytes = Buffer.from(text);
  for (let size = 1; size <= 5; size++) {
    const s = new Utf8Splitter();
    let out = '';
    for (let i = 0; i < bytes.length; i += size) {
      const part = s.push(bytes.subarray(i, i + size));
      assert.ok(!part.includes('\uFFFD'), `chunk size ${size} produced a replacement character`);
      out += part;
    }
    out += s.end();
    assert.equal(out, text);
  }
});
