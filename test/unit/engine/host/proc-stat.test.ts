import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statFields, statStartTicks, statZombie } from '../../../../engine/host/proc-stat.js';

// A command name with spaces and parentheses of its own; start time (field 22) 4242.
const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
fields[0] = 'S';
fields[19] = '4242';
const STAT = `123 (a) b (c) ${fields.join(' ')}\n`;

test('/proc/PID/stat fields count from after the last parenthesis of the command', () => {
  assert.equal(statFields(STAT)[0], 'S');
  assert.equal(statFields(STAT)[11], '14', 'utime is field 14');
  assert.equal(statStartTicks(STAT), 4242);
  assert.equal(statZombie(STAT), false);
  assert.equal(statZombie(STAT.replace(') S ', ') Z ')), true);
  assert.equal(statStartTicks(''), 0, 'unreadable: 0');
});
