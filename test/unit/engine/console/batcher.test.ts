import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BATCH_MAX_CHARS, Batcher } from '../../../../engine/console/batcher.js';

test('small writes within one interval become one batch', async () => {
  const out: string[] = [];
  const b = new Batcher((d) => out.push(d), 5);
  b.push('a');
  b.push('b');
  b.push('c');
  assert.deepEqual(out, []);
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(out, ['abc']);
});

test('a batch reaching the size limit is emitted at once', () => {
  const out: string[] = [];
  const b = new Batcher((d) => out.push(d), 1_000_000);
  b.push('x'.repeat(BATCH_MAX_CHARS - 1));
  assert.equal(out.length, 0);
  b.push('yy');
  assert.equal(out.length, 1);
  assert.equal(out[0]!.length, BATCH_MAX_CHARS + 1);
  b.dispose();
});

test('dispose drops pending output and never fires', async () => {
  const out: string[] = [];
  const b = new Batcher((d) => out.push(d), 5);
  b.push('lost');
  b.dispose();
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(out, []);
});
