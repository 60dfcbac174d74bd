import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv4, inSubnet, isHostAddress, parseCidr4, parseIpv4, subnetText } from '../../../../engine/net/ipv4.js';

test('dotted quads parse to numbers and back; junk does not parse', () => {
  assert.equal(parseIpv4('10.0.0.1'), 0x0a000001);
  assert.equal(formatIpv4(parseIpv4('255.255.255.255')!), '255.255.255.255');
  for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4 ', 'a.b.c.d', '1.2.3.4/24', '']) assert.equal(parseIpv4(bad), undefined, bad);
});

test('CIDRs: a bare address is a /32 unless told otherwise; bad prefixes are refused', () => {
  assert.deepEqual(parseCidr4('10.1.2.3/24'), { addr: parseIpv4('10.1.2.3'), prefix: 24 });
  assert.equal(parseCidr4('10.1.2.3')!.prefix, 32);
  assert.equal(parseCidr4('10.1.2.3', 24)!.prefix, 24);
  for (const bad of ['10.1.2.3/33', '10.1.2.3/', '10.1.2.3/2/4', '10.1.2.3/-1', '10.1.2.3/024x']) assert.equal(parseCidr4(bad), undefined, bad);
});

test('subnet membership, and host addresses exclude network and broadcast except on /31 and /32', () => {
  const c = parseCidr4('10.0.0.1/24')!;
  assert.equal(subnetText(c), '10.0.0.0/24');
  assert.ok(inSubnet(c, parseIpv4('10.0.0.255')!));
  assert.ok(!inSubnet(c, parseIpv4('10.0.1.1')!));
  assert.ok(isHostAddress(c, parseIpv4('10.0.0.10')!));
  assert.ok(!isHostAddress(c, parseIpv4('10.0.0.0')!));
  assert.ok(!isHostAddress(c, parseIpv4('10.0.0.255')!));
  assert.ok(isHostAddress(parseCidr4('10.0.0.0/31')!, parseIpv4('10.0.0.0')!));
  assert.ok(inSubnet(parseCidr4('1.2.3.4/0')!, parseIpv4('200.1.1.1')!));
});
