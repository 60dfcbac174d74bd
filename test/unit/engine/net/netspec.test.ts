import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateMac, checkMac, checkIp, isMac } from '../../../../engine/net/netspec.js';
import { parseNetSpec } from '../../../../engine/config/netspec.js';
import { VlanAliases } from '../../../../engine/net/vlans.js';
import { EngineError } from '../../../../engine/errors.js';

test('net spec → vlan id resolution', () => {
  const v = new VlanAliases();
  const ids = ['LAN', 'br1,101', 'DMZ', 'x,LAN'].map((t) => v.resolve(parseNetSpec(t).vlan));
  // A numeric vlan equal to an alias's id is the same VLAN, as in minimega.
  assert.deepEqual(ids, [101, 101, 102, 101]);
});

test('bad net specs name the value', () => {
  for (const bad of [
    'a,b,c,d,e,f',
    'bad name,1',
    'br,1,zz:zz',
    'br,1,10.0.0.300/24',
    'br,1,1.2.3.4\nlink del eth0',
    'br,1,1.2.3.4/24\nlink del eth0',
    'this_bridge_is_too_long,1',
  ]) {
    assert.throws(
      () => parseNetSpec(bad),
      (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG',
      bad,
    );
  }
});

test('generated MACs are 02:6d and 32 bits drawn from the random source, locally administered unicast', () => {
  const drawn: number[] = [];
  const source = (n: number) => {
    drawn.push(n);
    return Uint8Array.from([0x01, 0x00, 0xfe, 0x0a]);
  };
  assert.equal(generateMac(source), '02:6d:01:00:fe:0a');
  assert.deepEqual(drawn, [4]);
  for (let i = 0; i < 100; i++) {
    const m = generateMac();
    assert.ok(isMac(m), m);
    assert.match(m, /^02:6d:/);
    assert.equal(parseInt(m.slice(0, 2), 16) & 0b11, 0b10, m);
  }
  // Drawn, not counted: two hosts' first NICs (the same tap number, bases that hash alike) differ.
  assert.ok(new Set(Array.from({ length: 100 }, () => generateMac())).size > 1);
});

test('mac and ip validation', () => {
  checkMac('02:AA:bb:00:00:01', 'mac');
  assert.throws(() => checkMac('03:00:00:00:00:01', 'mac'), /multicast/);
  checkIp('10.199.0.1/24', 'ip');
  checkIp('fd00::1/64', 'ip');
  assert.throws(() => checkIp('10.199.0.1/33', 'ip'));
  assert.throws(() => checkIp('hello', 'ip'));
});
