import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CcClientInfo } from '../../../../engine/api/types.js';
import { cidrContains, filterRow, filterString, matches, parseFilter } from '../../../../engine/cc/filter.js';

const client: CcClientInfo = {
  uuid: 'a5e980ca-3958-48cc-92e9-93d50c0157ad',
  name: 'web1',
  hostname: 'web1',
  arch: 'amd64',
  os: 'linux',
  ip: ['10.0.0.7', 'fd00::7'],
  mac: ['aa:bb:cc:00:00:01'],
};
const subject = (tags: Record<string, string> = {}, info: Record<string, string> = {}) => ({ client, tags, info: (k: string) => info[k] });

test("cc filter parses minimega's fields, tags in every spelling, and prints its row", () => {
  assert.deepEqual(filterRow(parseFilter(['uuid=99D2C66F-7E8F-4A26-AF92-3876284D33F5'])), ['99d2c66f-7e8f-4a26-af92-3876284d33f5', '', '', '', '', '', '{}']);
  assert.deepEqual(parseFilter(['hostname=foo', 'arch=amd64', 'os=linux', 'ip=10.0.0.0/24', 'mac=13:37:13:37:00:00']).ip, '10.0.0.0/24');
  assert.equal(filterRow(parseFilter(['tag=foo']))[6], '{"foo":""}');
  assert.equal(filterRow(parseFilter(['tag=foo=bar']))[6], '{"foo":"bar"}');
  assert.equal(filterRow(parseFilter(['foo=bar']))[6], '{"foo":"bar"}');
  assert.equal(filterRow(parseFilter(['foo=']))[6], '{"foo":""}');
  assert.equal(filterRow(parseFilter(['tag=foo:bar']))[6], '{"foo":"bar"}');
  assert.equal(filterRow(parseFilter(['tag=foo', 'tag=bar:car', 'a=b']))[6], '{"a":"b","bar":"car","foo":""}');
  assert.throws(() => parseFilter(['nonsense']), /malformed id=value pair: nonsense/);
  assert.equal(filterString(parseFilter(['hostname=web1', 'b=2', 'a=1'])), 'hostname=web1 && a=1 && b=2');
  assert.equal(filterString(null), '');
});

test('a filter matches when every set field does; tags fall back to vm info columns first', () => {
  assert.ok(matches(null, subject()));
  assert.ok(matches(parseFilter(['hostname=web1', 'os=linux', 'arch=amd64']), subject()));
  assert.ok(!matches(parseFilter(['hostname=web2']), subject()));
  assert.ok(matches(parseFilter(['uuid=A5E980CA-3958-48CC-92E9-93D50C0157AD']), subject()));
  assert.ok(matches(parseFilter(['ip=10.0.0.7']), subject()));
  assert.ok(!matches(parseFilter(['ip=10.0.0.8']), subject()));
  assert.ok(matches(parseFilter(['ip=10.0.0.0/24']), subject()));
  assert.ok(!matches(parseFilter(['ip=10.0.1.0/24']), subject()));
  assert.ok(matches(parseFilter(['ip=fd00::/64']), subject()));
  assert.ok(matches(parseFilter(['mac=aa:bb:cc:00:00:01']), subject()));
  assert.ok(matches(parseFilter(['color=blue']), subject({ color: 'blue' })));
  assert.ok(!matches(parseFilter(['color=blue']), subject({ color: 'red' })));
  assert.ok(matches(parseFilter(['name=web1']), subject({ name: 'other' }, { name: 'web1' })));
  assert.ok(matches(parseFilter(['tag=flag']), subject({})));
});

test('CIDR containment as Go computes it', () => {
  assert.ok(cidrContains('10.0.0.0/8', '10.255.1.2'));
  assert.ok(!cidrContains('10.0.0.0/8', '11.0.0.1'));
  assert.ok(cidrContains('0.0.0.0/0', '192.168.1.1'));
  assert.ok(cidrContains('192.168.1.1/32', '192.168.1.1'));
  assert.ok(!cidrContains('10.0.0.0/33', '10.0.0.1'));
  assert.ok(!cidrContains('bogus/8', '10.0.0.1'));
  assert.ok(!cidrContains('10.0.0.0/8', 'fd00::1'));
  assert.ok(cidrContains('fd00::/8', 'fd12:3456::1'));
});
