// The battery passes only when every check it should run printed PASS: a skipped or renamed check
// is a failure, not one PASS line fewer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedChecks, missingChecks, type BatteryRun } from '../../security/battery-expected.js';

const run: BatteryRun = { mode: 'default', via: 'init', diskSize: 64 << 20, fifos: 1 };

test('a full run misses nothing; alternatives and absent masked paths count', () => {
  const all = expectedChecks(run).map((e) => `PASS ${e.split('|')[1] ?? e}`);
  const lines = all.map((l) => (l === 'PASS masked /proc/kcore' ? 'PASS masked /proc/kcore (absent)' : l));
  assert.deepEqual(missingChecks(lines, run), []);
});

test('a check that printed nothing, or FAIL, or another name, is missing', () => {
  const all = expectedChecks(run).map((e) => `PASS ${e.split('|')[0]}`);
  const lines = all
    .filter((l) => l !== 'PASS socket-af-vsock')
    .map((l) => (l === 'PASS open-console-host-eperm' ? 'FAIL open-console-host-eperm: opened' : l))
    .map((l) => (l === 'PASS disk-fill-stops-at-disk-size' ? 'PASS disk-fill' : l));
  assert.deepEqual(missingChecks(lines, run), ['socket-af-vsock', 'open-console-host-eperm', 'disk-fill-stops-at-disk-size']);
});

test('the list follows the run: relaxed has no syscall list, snapshot false no disk fill, exec no init check', () => {
  const relaxed = expectedChecks({ mode: 'relaxed', via: 'exec' });
  assert.ok(!relaxed.includes('socket-af-vsock') && relaxed.includes('seccomp-off') && relaxed.includes('exec-beside-init'));
  assert.ok(!relaxed.includes('disk-fill-stops-at-disk-size') && !relaxed.includes('proc-1-is-our-init'));
  for (const p of ['/proc/interrupts', '/proc/kcore', '/sys/firmware']) assert.ok(expectedChecks(run).includes(`masked ${p}`));
  assert.ok(expectedChecks(run).includes('fork-bomb-5000-stops-at-pids-max'));
});
