// `vm config disk-size` (review M2): sizes like 512M and 2G, limits named in the error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigStore } from '../../../../engine/config/config-store.js';
import { DEFAULT_DISK_SIZE, formatSize, parseSize } from '../../../../engine/config/sizes.js';
import { validateConfig } from '../../../../engine/config/validate.js';

const G = 2 ** 30;
const M = 2 ** 20;

test('sizes parse with binary suffixes, case-insensitive, with or without B/iB', () => {
  for (const [text, bytes] of [
    ['512M', 512 * M],
    ['2G', 2 * G],
    ['2g', 2 * G],
    ['2GB', 2 * G],
    ['2GiB', 2 * G],
    ['1024K', M],
    ['1T', 1024 * G],
    ['16T', 16 * 1024 * G],
    ['1073741824', G],
    [' 64M ', 64 * M],
  ] as const) {
    assert.equal(parseSize('disk-size', text), bytes, text);
  }
});

test('bad sizes are refused naming the field and the value', () => {
  for (const text of ['', 'abc', '-1', '1.5G', '2X', 'G', '2 G B', 'iB', '5iB']) {
    assert.throws(() => parseSize('disk-size', text), { message: `invalid disk-size \`${text}\`: want a size like 512M, 2G or a number of bytes` }, text);
  }
  for (const text of ['0', '1K', '1048575', '17T', '99999999T']) {
    assert.throws(() => parseSize('disk-size', text), { message: `invalid disk-size \`${text}\`: must be between 1M and 16T` }, text);
  }
});

test('sizes print in their shortest exact form', () => {
  assert.equal(formatSize(G), '1G');
  assert.equal(formatSize(512 * M), '512M');
  assert.equal(formatSize(1536 * 1024), '1536K');
  assert.equal(formatSize(1048577), '1048577');
  assert.equal(formatSize(2 * 1024 * G), '2T');
});

test('vm config disk-size: 1G by default, set, printed, reset; a bad record is caught at launch', async () => {
  const s = new ConfigStore();
  assert.equal(DEFAULT_DISK_SIZE, G);
  assert.equal(s.get('disk-size'), '1G');
  await s.set('disk-size', ['512M']);
  assert.equal(s.get('disk-size'), '512M');
  assert.equal(s.current.diskSize, 512 * M);
  s.clear('disk-size');
  assert.equal(s.get('disk-size'), '1G');
  assert.equal(s.current.diskSize, undefined);
  await assert.rejects(s.set('disk-size', ['2X']), /invalid disk-size `2X`/);
  assert.throws(() => validateConfig({ ...s.current, diskSize: 12 }), /invalid disk-size `12`: must be between 1M and 16T/);
});
