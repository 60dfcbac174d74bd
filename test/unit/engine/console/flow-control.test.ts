import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowControl, FlowWindow } from '../../../../engine/console/flow-control.js';

function window() {
  const log: string[] = [];
  const w = new FlowWindow(
    () => log.push('pause'),
    () => log.push('resume'),
  );
  return { w, log };
}

test('the ack batch fits under the low watermark, or a paused console would never resume', () => {
  assert.ok(FlowControl.AckBatchChars <= FlowControl.LowWatermarkChars);
  assert.ok(FlowControl.LowWatermarkChars < FlowControl.HighWatermarkChars);
});

test('pauses once above 100 000 unacknowledged chars, not at it', () => {
  const { w, log } = window();
  w.sent(100_000);
  assert.deepEqual(log, []);
  w.sent(1);
  w.sent(50_000);
  assert.deepEqual(log, ['pause']);
  assert.equal(w.unacked, 150_001);
});

test('resumes only below 5 000 unacknowledged chars', () => {
  const { w, log } = window();
  w.sent(120_000);
  w.ack(100_000);
  assert.deepEqual(log, ['pause'], 'still 20 000 unacked');
  w.ack(15_000);
  assert.deepEqual(log, ['pause'], 'exactly 5 000 is not below');
  w.ack(1);
  assert.deepEqual(log, ['pause', 'resume']);
  assert.equal(w.paused, false);
});

test('acks beyond what was sent give no credit', () => {
  const { w, log } = window();
  w.ack(1_000_000);
  w.sent(100_001);
  assert.deepEqual(log, ['pause']);
});
