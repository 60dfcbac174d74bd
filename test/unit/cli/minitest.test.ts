import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTest } from '../../../cli/minitest.js';

test('minitest picks files without extension (and .mm), never .want/.got, hidden or special files', () => {
  for (const name of ['vm_config', 'container_lifecycle', 'lifecycle.mm']) assert.ok(isTest(name), name);
  for (const name of ['vm_config.want', 'vm_config.got', '.hidden', 'prolog', 'epilog', 'enter', 'exit', 'notes.txt']) {
    assert.ok(!isTest(name), name);
  }
  assert.ok(isTest('vm_net', /^vm_/));
  assert.ok(!isTest('history', /^vm_/));
});
