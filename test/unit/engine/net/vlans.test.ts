import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VlanAliases } from '../../../../engine/net/vlans.js';
import { EngineError } from '../../../../engine/errors.js';

test('aliases are allocated from 101 upward in first-use order', () => {
  const v = new VlanAliases();
  assert.equal(v.resolve('LAN'), 101);
  assert.equal(v.resolve('DMZ'), 102);
  assert.equal(v.resolve('LAN'), 101);
  assert.deepEqual(v.list(), [{ alias: 'LAN', vlan: 101 }, { alias: 'DMZ', vlan: 102 }]);
  assert.equal(v.describe(101), 'LAN (101)');
  assert.equal(v.describe(7), '7');
});

test('numeric vlans are used as given and aliases skip them', () => {
  const v = new VlanAliases();
  assert.equal(v.resolve('101'), 101);
  assert.equal(v.resolve(' 1 '), 1);
  assert.equal(v.resolve('4094'), 4094);
  assert.equal(v.resolve('0'), 0, 'VLAN 0 as in minimega');
  assert.equal(v.resolve('4095'), 4095);
  assert.equal(v.resolve('LAN'), 102);
});

test('out-of-range and junk vlans are refused with the value named', () => {
  const v = new VlanAliases();
  for (const bad of ['4096', '99999', '-3', 'a b', '', '1.5x/']) {
    assert.throws(() => v.resolve(bad), (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG' && e.message.includes(bad));
  }
});

test('aliases survive a JSON round trip (daemon restart)', () => {
  const v = new VlanAliases();
  v.resolve('LAN');
  v.resolve('200');
  v.resolve('DMZ');
  const back = VlanAliases.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.list(), v.list());
  assert.equal(back.resolve('DMZ'), 102);
  assert.equal(back.resolve('NEW'), 103);
  assert.deepEqual(VlanAliases.fromJSON(undefined).list(), []);
});

test('vlans add fixes an alias; a taken alias or VLAN is minimega\'s error', () => {
  const v = new VlanAliases();
  v.resolve('A');
  v.add('foo', 200);
  assert.equal(v.resolve('foo'), 200);
  assert.throws(() => v.add('foo', 201), { message: 'alias already in use' });
  assert.throws(() => v.add('bar', 101), { message: 'vlan already in use' });
  assert.deepEqual(v.list(), [{ alias: 'A', vlan: 101 }, { alias: 'foo', vlan: 200 }]);
});

test('vlans range sets where new aliases come from; min must be below max', () => {
  const v = new VlanAliases();
  assert.deepEqual(v.range(), { min: 101, max: 4096, next: 101 });
  assert.throws(() => v.range(130, 120), { message: 'expected min > max' });
  v.range(120, 122);
  assert.equal(v.resolve('B'), 120);
  assert.equal(v.resolve('C'), 121);
  assert.throws(() => v.resolve('D'), /no free vlan/);
  assert.deepEqual(VlanAliases.fromJSON(JSON.parse(JSON.stringify(v.toJSON()))).range(), { min: 120, max: 122, next: 122 });
});

test('blacklisted VLANs are never given to an alias; clear forgets aliases, all also the blacklist', () => {
  const v = new VlanAliases();
  v.blacklist(101);
  assert.equal(v.resolve('A'), 102);
  assert.deepEqual(v.blacklist(), [101]);
  v.resolve('AB');
  v.clear('A');
  assert.deepEqual(v.list(), []);
  assert.equal(v.resolve('X'), 102, 'the blacklist stays');
  v.clear('all');
  assert.deepEqual(v.blacklist(), []);
  assert.equal(v.resolve('Y'), 101);
});
