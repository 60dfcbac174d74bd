import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../../../engine/errors.js';
import { mergeQos, parseGoDuration, parseQosOp, qosText, rateBits, tcDeleteArgv, tcReplaceArgv } from '../../../../engine/net/qos.js';

test('Go durations parse as time.ParseDuration does', () => {
  assert.equal(parseGoDuration('100ms'), 100e6);
  assert.equal(parseGoDuration('1h2m3.5s'), 3723.5e9);
  assert.equal(parseGoDuration('1.5us'), 1500);
  assert.equal(parseGoDuration('2µs'), 2000);
  assert.equal(parseGoDuration('-10ms'), -10e6);
  assert.equal(parseGoDuration('0'), 0);
  for (const bad of ['', '100', 'ms', '100xbit', '1..5s', '.s', '10 ms', '-']) assert.equal(parseGoDuration(bad), undefined, bad);
});

test("qos values are checked with minimega's errors and kept as written", () => {
  assert.deepEqual(parseQosOp({ type: 'loss', percent: '5' }), { loss: '5' });
  assert.deepEqual(parseQosOp({ type: 'loss', percent: '0.50' }), { loss: '0.50' });
  assert.deepEqual(parseQosOp({ type: 'delay', duration: '100ms' }), { delay: '100ms' });
  assert.deepEqual(parseQosOp({ type: 'delay', duration: '100' }), { delay: '100ms' }, 'a bare number is milliseconds');
  assert.deepEqual(parseQosOp({ type: 'rate', bw: '1', unit: 'mbit' }), { rate: '1mbit' });
  const err = (op: Parameters<typeof parseQosOp>[0]) => {
    try {
      parseQosOp(op);
    } catch (e) {
      assert.ok(e instanceof EngineError);
      return `${e.code} ${e.message} ${e.detail.field}`;
    }
    return 'no error';
  };
  assert.equal(err({ type: 'loss', percent: '150' }), 'E_CONFIG invalid loss: `150` percent');
  assert.equal(err({ type: 'loss', percent: '100' }), 'E_CONFIG invalid loss: `100` percent');
  assert.equal(err({ type: 'loss', percent: 'NaN' }), 'E_CONFIG invalid loss: `NaN` percent');
  assert.equal(err({ type: 'loss', percent: '-1' }), 'E_CONFIG invalid loss: `-1` percent');
  assert.equal(err({ type: 'delay', duration: '100xbit' }), 'E_CONFIG invalid duration: `100xbit` duration');
  assert.equal(err({ type: 'delay', duration: '-5ms' }), 'E_CONFIG delay cannot be negative duration');
  assert.equal(err({ type: 'rate', bw: '1.5', unit: 'mbit' }), 'E_CONFIG invalid rate: `1.5` bw');
  assert.equal(err({ type: 'rate', bw: '0', unit: 'mbit' }), 'E_CONFIG invalid rate: `0` (must be > 0) bw');
  assert.equal(err({ type: 'rate', bw: '1', unit: 'tbit' as 'mbit' }), 'E_CONFIG invalid rate unit: `tbit` (kbit, mbit or gbit) unit');
});

test('loss and delay stack; rate replaces them and they replace rate (minimega)', () => {
  let q = mergeQos(undefined, 'loss', { loss: '5' });
  q = mergeQos(q, 'delay', { delay: '100ms' });
  assert.deepEqual(q, { loss: '5', delay: '100ms' });
  assert.equal(qosText({ index: 0, ...q }), '0: loss 5 delay 100ms');
  q = mergeQos(q, 'rate', { rate: '1mbit' });
  assert.deepEqual(q, { rate: '1mbit' });
  q = mergeQos(q, 'delay', { delay: '200ms' });
  assert.deepEqual(q, { delay: '200ms' });
  q = mergeQos(q, 'delay', { delay: '300ms' });
  assert.deepEqual(q, { delay: '300ms' }, 'the same kind is overwritten');
});

test('tc argv: netem with microseconds and a percentage, tbf with a burst of at least a few frames', () => {
  assert.deepEqual(tcReplaceArgv('mega_tap3', { loss: '5', delay: '100ms' }), [
    'tc',
    'qdisc',
    'replace',
    'dev',
    'mega_tap3',
    'root',
    'netem',
    'delay',
    '100000us',
    'loss',
    '5%',
  ]);
  assert.deepEqual(tcReplaceArgv('t', { delay: '1.5s' }), ['tc', 'qdisc', 'replace', 'dev', 't', 'root', 'netem', 'delay', '1500000us']);
  assert.deepEqual(tcReplaceArgv('t', { rate: '10mbit' }), [
    'tc',
    'qdisc',
    'replace',
    'dev',
    't',
    'root',
    'tbf',
    'rate',
    '10mbit',
    'burst',
    '12500b',
    'latency',
    '20ms',
  ]);
  assert.deepEqual(tcReplaceArgv('t', { rate: '10kbit' }).slice(9, 11), ['burst', '4096b']);
  assert.deepEqual(tcDeleteArgv('t'), ['tc', 'qdisc', 'del', 'dev', 't', 'root']);
  assert.equal(rateBits('2gbit'), 2e9);
});
