import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandList, launchNames, validateName } from '../../../../engine/config/names.js';

test('a plain comma list expands in order', () => {
  assert.deepEqual(expandList('foo,bar'), ['foo', 'bar']);
});

test('a bracket range expands, de-duplicates and sorts', () => {
  assert.deepEqual(expandList('foo[3,1-2,2]'), ['foo1', 'foo2', 'foo3']);
  assert.deepEqual(expandList('a,b[1-2],c'), ['a', 'b1', 'b2', 'c']);
});

test('zero padding is kept when every number in the bracket shares a width', () => {
  assert.deepEqual(expandList('n[01-03]'), ['n01', 'n02', 'n03']);
  assert.deepEqual(expandList('n[1,02]'), ['n1', 'n2']);
});

test('each range error uses minimega words', () => {
  assert.throws(() => expandList('a[1[2]]'), { message: "nested '[' at char 3" });
  assert.throws(() => expandList('a]'), { message: "unmatched ']' at char 1" });
  assert.throws(() => expandList('a[1-2'), { message: "unterminated '['" });
  assert.throws(() => expandList('a[1-2]b'), { message: 'invalid range specification' });
  assert.throws(() => expandList('a[x]'), { message: 'strconv.Atoi: parsing "x": invalid syntax' });
  assert.throws(() => expandList('a[1-2-3]'), { message: 'invalid subrange 1-2-3' });
});

test('an integer launches that many vm-<k> names from the counter', () => {
  let k = 4;
  assert.deepEqual(
    launchNames('2', () => k++),
    ['vm-4', 'vm-5'],
  );
});

test('a count of zero or less is refused', () => {
  assert.throws(() => launchNames('0', () => 0), { message: 'invalid number of vms (must be > 0)' });
  assert.throws(() => launchNames('-3', () => 0), { message: 'invalid number of vms (must be > 0)' });
});

test('launch names are validated like minimega', () => {
  assert.throws(() => launchNames('foo,all', () => 0), { message: 'invalid vm name, `all` is a reserved word' });
  assert.throws(() => launchNames('foo,[0]', () => 0), { message: 'invalid vm name, `0` is an integer' });
  assert.throws(() => launchNames('foo,foo', () => 0), { message: '`foo` is specified twice in VMs to launch' });
  assert.throws(() => launchNames('a/b', () => 0), {
    message: 'invalid name; must only include letters, numbers, hyphens and underscores: `a/b`',
  });
  assert.deepEqual(
    launchNames('web.1,db_2', () => 0),
    ['web.1', 'db_2'],
  );
});

test('validateName accepts ordinary names and refuses empty ones', () => {
  validateName('foo-1');
  assert.throws(() => validateName(''));
});
