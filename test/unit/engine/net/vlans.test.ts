import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VlanAliases } from '../../../../engine/net/vlans.js';
import { EngineError } from '../../../../engine/errors.js';

test('aliases are allocated from 101 upward in first-use order', () => {
  const v = new VlanAliases();
  assert.equal(v.resolve('LAN'), 101);
  assert.equal(v.resolve('DMZ'), 102);
  assert.equal(v.resolve('LAN'), 101);
  assert.deepEqual(v.list(), [
    { alias: 'LAN', vlan: 101 },
    { alias: 'DMZ', vlan: 102 },
  ]);
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
    assert.throws(
      () => v.resolve(bad),
      (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG' && e.message.includes(bad),
    );
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

test("vlans add fixes an alias; a taken alias or VLAN is minimega's error", () => {
  const v = new VlanAliases();
  v.resolve('A');
  v.add('foo', 200);
  assert.equal(v.resolve('foo'), 200);
  assert.throws(() => v.add('foo', 201), { message: 'alias already in use' });
  assert.throws(() => v.add('bar', 101), { message: 'vlan already in use' });
  assert.deepEqual(v.list(), [
    { alias: 'A', vlan: 101 },
    { alias: 'foo', vlan: 200 },
  ]);
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

test("aliases are per namespace from one pool of VLANs; ns//alias reaches another namespace's (minimega's vlans test)", () => {
  const v = new VlanAliases();
  assert.equal(v.resolve('101'), 101);
  assert.equal(v.resolve('A'), 102);
  assert.equal(v.resolve('B'), 103);
  assert.equal(v.resolve('A', 'foo'), 104, 'A in foo is another alias');
  assert.equal(v.resolve('A', 'bar'), 105);
  assert.equal(v.resolve('minimega//A', 'bar'), 102);
  assert.equal(v.resolve('foo//A', 'bar'), 104);
  assert.deepEqual(v.list('bar'), [{ alias: 'A', vlan: 105 }]);
  assert.deepEqual(v.list(), [
    { alias: 'A', vlan: 102 },
    { alias: 'B', vlan: 103 },
  ]);
  assert.equal(v.describe(104, 'foo'), 'A (104)');
  assert.equal(v.describe(104, 'bar'), 'foo//A (104)');
  assert.throws(
    () => v.resolve('a/b//A', 'bar'),
    (e: unknown) => e instanceof EngineError && /invalid VLAN alias `a\/b\/\/A`/.test(e.message),
  );
  assert.throws(() => v.resolve('foo//', 'bar'), /invalid VLAN alias `foo\/\/`/);
});

test("a namespace's range is its own; the default namespace sets the global one, which skips reserved ranges", () => {
  const v = new VlanAliases();
  assert.equal(v.range(undefined, undefined, 'foo'), null, 'no range of its own');
  v.range(120, 130, 'foo');
  assert.equal(v.resolve('B', 'foo'), 120);
  assert.deepEqual(v.range(undefined, undefined, 'foo'), { min: 120, max: 130, next: 121 });
  assert.deepEqual(v.rangeOf('foo'), { min: 120, max: 130 });
  assert.deepEqual(v.rangeOf('minimega'), { min: 101, max: 4096 });
  assert.equal(v.rangeOf('bar'), undefined);
  assert.throws(() => v.range(125, 140, 'bar'), { message: 'range overlaps with another namespace: foo' });
  assert.throws(() => v.range(110, 125), { message: 'range overlaps with another namespace: foo' }, 'the global one too');
  v.range(101, 103, 'baz');
  assert.equal(v.resolve('w'), 103, "the global range skips 101-102 (baz's)");
});

test('deleting a namespace frees its aliases and range; clear vlans clears only the namespace it runs in', () => {
  const v = new VlanAliases();
  v.resolve('A');
  v.resolve('A', 'foo');
  v.range(300, 310, 'foo');
  v.resolve('B', 'foo');
  v.clear('', 'foo');
  assert.deepEqual(v.list('foo'), []);
  assert.equal(v.rangeOf('foo'), undefined);
  assert.deepEqual(v.list(), [{ alias: 'A', vlan: 101 }]);
  v.resolve('C', 'bar');
  v.deleteNamespace('bar');
  assert.deepEqual(v.list('bar'), []);
  assert.equal(v.resolve('D', 'bar'), 102, 'its VLAN is free again');
});

test('per-namespace aliases and ranges survive JSON; files from before namespaces load into the default one', () => {
  const v = new VlanAliases();
  v.resolve('A');
  v.resolve('A', 'lab');
  v.range(500, 510, 'lab');
  v.resolve('Z', 'lab');
  const back = VlanAliases.fromJSON(JSON.parse(JSON.stringify(v)));
  assert.deepEqual(back.list('lab'), v.list('lab'));
  assert.deepEqual(back.rangeOf('lab'), { min: 500, max: 510 });
  const old = VlanAliases.fromJSON({ aliases: { LAN: 101, DMZ: 102 }, used: [5], range: { min: 101, max: 200 } });
  assert.deepEqual(old.list(), [
    { alias: 'LAN', vlan: 101 },
    { alias: 'DMZ', vlan: 102 },
  ]);
  assert.deepEqual(old.rangeOf('minimega'), { min: 101, max: 200 });
  assert.equal(old.resolve('LAN', 'x'), 103, "another namespace's LAN is a new alias");
});

test('lookup answers what resolve would without allocating: numbers as given, known aliases, else undefined', () => {
  const v = new VlanAliases();
  assert.equal(v.lookup('LAN'), undefined);
  assert.deepEqual(v.list(), [], 'nothing allocated by a lookup');
  assert.equal(v.resolve('LAN'), 101);
  assert.equal(v.lookup(' LAN '), 101);
  assert.equal(v.lookup('42'), 42);
  assert.equal(v.lookup('LAN', 'other'), undefined, 'an alias is per namespace');
  assert.equal(v.lookup('minimega//LAN', 'other'), 101);
  assert.equal(v.lookup('99999'), undefined);
  assert.equal(v.lookup('a/b//c'), undefined);
});
