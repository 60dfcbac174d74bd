import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigStore } from '../../../../engine/config/config-store.js';
import { defaultConfig } from '../../../../engine/config/defaults.js';
import { parseNetSpec } from '../../../../engine/config/netspec.js';
import { validateConfig } from '../../../../engine/config/validate.js';
import { EngineError } from '../../../../engine/errors.js';

test('defaults match minimega', () => {
  assert.deepEqual(defaultConfig(), {
    filesystem: '', hostname: '', init: ['/init'], preinit: '', fifos: 0, volumes: {}, memory: 2048,
    vcpus: 1, snapshot: true, uuid: '', net: [], tags: {}, backchannel: true,
  });
});

test('getters print minimega text', () => {
  const s = new ConfigStore();
  assert.equal(s.get('memory'), '2048');
  assert.equal(s.get('vcpus'), '1');
  assert.equal(s.get('snapshot'), 'true');
  assert.equal(s.get('init'), '[/init]');
  assert.equal(s.get('net'), '[]');
  assert.equal(s.get('tags'), '');
  assert.equal(s.get('uuid'), '');
  assert.equal(s.get('qemu'), 'kvm', 'KVM fields have minimega defaults too');
  assert.equal(s.get('coschedule'), '-1');
  assert.equal(s.get('android-no-window'), 'true');
});

test('setters change the field and field names match by prefix', () => {
  const s = new ConfigStore();
  s.set('mem', ['1024']);
  assert.equal(s.get('memory'), '1024');
  s.set('tag', ['color', 'red']);
  assert.equal(s.get('tags'), 'color -> red');
  assert.equal(s.get('tags', 'color'), 'red');
  s.set('init', ['/bin/sh', '-c', 'true']);
  assert.equal(s.get('init'), '[/bin/sh -c true]');
  s.set('snap', ['false']);
  assert.equal(s.get('snapshot'), 'false');
});

test('unknown and ambiguous field names are clear errors', () => {
  const s = new ConfigStore();
  assert.throws(() => s.get('bogus'), { message: 'unknown vm config field `bogus`' });
  assert.throws(() => s.get('f'), { message: 'ambiguous vm config field `f`: filesystem, fifos' });
  assert.throws(() => s.get('fi'), /ambiguous/);
  assert.equal(s.get('fil'), '');
  assert.equal(s.get('fif'), '0');
});

test('integer fields reject junk with strconv errors', () => {
  const s = new ConfigStore();
  assert.throws(() => s.set('memory', ['foo']), { message: 'strconv.ParseUint: parsing "foo": invalid syntax' });
  assert.throws(() => s.set('vcpus', ['-1']), { message: 'strconv.ParseUint: parsing "-1": invalid syntax' });
  assert.throws(() => s.set('fifos', ['99999999999999999999']), {
    message: 'strconv.ParseUint: parsing "99999999999999999999": value out of range',
  });
  assert.throws(() => s.set('snapshot', ['maybe']), { message: 'vm config snapshot takes true or false, not `maybe`' });
  assert.equal(s.get('memory'), '2048', 'a refused value leaves the field unchanged');
});

test('absurd values are refused with a config error naming the field', () => {
  const s = new ConfigStore();
  for (const [field, args] of [
    ['memory', ['0']], ['memory', [String(17 * 1024 * 1024)]], ['vcpus', ['0']], ['vcpus', ['4097']],
    ['fifos', ['1025']], ['preinit', ['relative/path']], ['init', ['/../etc/x']], ['volume', ['/data', 'relative']],
    ['volume', ['data', '/host']], ['volume', ['/a|b', '/host']], ['filesystem', ['/x\ny']], ['hostname', ['x'.repeat(5000)]],
  ] as const) {
    assert.throws(() => s.set(field, [...args]), (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG', `${field} ${args}`);
  }
  validateConfig(defaultConfig());
});

test('clear resets one field, one key, or everything', () => {
  const s = new ConfigStore();
  s.set('memory', ['512']);
  s.set('tags', ['a', '1']);
  s.set('tags', ['b', '2']);
  s.clear('memory');
  assert.equal(s.get('memory'), '2048');
  s.clear('tags', 'a');
  assert.equal(s.get('tags'), 'b -> 2');
  s.set('vcpus', ['4']);
  s.clear();
  assert.deepEqual(s.current, defaultConfig());
});

test('save and restore keep independent copies', () => {
  const s = new ConfigStore();
  s.set('tags', ['k', 'v']);
  s.save('one');
  s.set('tags', ['k', 'w']);
  s.restore('one');
  assert.equal(s.get('tags'), 'k -> v');
  assert.throws(() => s.restore('nope'), { message: 'config nope does not exist' });
});

test('clone copies everything but the uuid', () => {
  const s = new ConfigStore();
  s.clone({ ...defaultConfig(), memory: 99, uuid: 'abc', filesystem: '/fs' });
  assert.equal(s.current.memory, 99);
  assert.equal(s.current.filesystem, '/fs');
  assert.equal(s.current.uuid, '');
});

test('netspecs parse in every minimega form plus the CIDR extension', () => {
  assert.deepEqual(parseNetSpec('101'), { bridge: '', vlan: '101', mac: '', ip: '' });
  assert.deepEqual(parseNetSpec('LAN'), { bridge: '', vlan: 'LAN', mac: '', ip: '' });
  assert.deepEqual(parseNetSpec('br0,5'), { bridge: 'br0', vlan: '5', mac: '', ip: '' });
  assert.deepEqual(parseNetSpec('5,13:37:13:37:00:00'), { bridge: '', vlan: '5', mac: '13:37:13:37:00:00', ip: '' });
  assert.deepEqual(parseNetSpec('br0,5,13:37:13:37:00:01'), { bridge: 'br0', vlan: '5', mac: '13:37:13:37:00:01', ip: '' });
  assert.deepEqual(parseNetSpec('5,10.0.0.5/24'), { bridge: '', vlan: '5', mac: '', ip: '10.0.0.5/24' });
  assert.deepEqual(parseNetSpec('br0,5,13:37:13:37:00:01,10.0.0.5/24').ip, '10.0.0.5/24');
  for (const bad of ['', 'br0,,5', '0', '5000', 'br0,5,notamac', '5,10.0.0.300/24', 'a,b,c,d,e', 'l@n']) {
    assert.throws(() => parseNetSpec(bad), EngineError, bad);
  }
});

test('vm config net prints like minimega, naming the default bridge', () => {
  const s = new ConfigStore();
  s.set('net', ['1']);
  assert.equal(s.get('net'), '[mega_bridge,1]');
  s.set('net', ['test_bridge,1,13:37:13:37:00:03', 'test_bridge,5,13:37:13:37:00:04']);
  assert.equal(s.get('net'), '[test_bridge,1,13:37:13:37:00:03 test_bridge,5,13:37:13:37:00:04]');
});

test('volumes list as path -> host and answer a keyed getter', () => {
  const s = new ConfigStore();
  s.set('volume', ['/scratch', '/tmp/minivolume']);
  assert.equal(s.get('volume'), '/scratch -> /tmp/minivolume');
  assert.equal(s.get('volume', '/scratch'), '/tmp/minivolume');
});

test('KVM and Android fields are stored, printed by their getters and reset by clear', () => {
  const s = new ConfigStore({ filesDir: '/tmp/minimega/files', hostname: 'h' });
  s.set('kernel', ['foo']);
  assert.equal(s.get('kernel'), '/tmp/minimega/files/foo', 'relative paths are in the files directory');
  s.set('disk', ['a,virtio', '/abs/b,writeback']);
  assert.equal(s.get('disks'), '[/tmp/minimega/files/a,virtio /abs/b,writeback]');
  assert.throws(() => s.set('disks', ['a,nope']), { message: 'malformed diskspec' });
  assert.throws(() => s.set('disks', ['a', 'a']), { message: 'disk conflict: /tmp/minimega/files/a' });
  s.set('qemu-append', ['-k', 'en-us']);
  assert.equal(s.get('qemu-append'), '[-k en-us]');
  s.set('migrate', ['st']);
  assert.equal(s.get('state'), '/tmp/minimega/files/st', 'migrate is state');
  s.set('bonds', ['0,1,balance-tcp,active,no-lacp-fallback,uplink']);
  assert.equal(s.get('bonds'), '[0,1,balance-tcp,active,no-lacp-fallback,uplink]');
  assert.throws(() => s.set('bonds', ['0,1']), { message: 'malformed bondspec' });
  assert.throws(() => s.set('android-console-base-port', ['5555']), /even port/);
  s.set('schedule', ['localhost']);
  assert.throws(() => s.set('colocate', ['vm1']), { message: 'cannot specify colocate and schedule in the same config' });
  assert.throws(() => s.set('schedule', ['elsewhere']), { message: 'host is not in namespace: elsewhere' });
  s.clear('kernel');
  assert.equal(s.get('kernel'), '');
  s.clear();
  assert.equal(s.get('disks'), '[]');
  assert.equal(s.get('schedule'), '');
  assert.equal(s.current.memory, 2048);
});

test('save and restore keep the KVM settings too; restore of an unknown name is minimega\'s error', () => {
  const s = new ConfigStore();
  s.set('vga', ['cirrus']);
  s.save('k');
  s.clear();
  assert.equal(s.get('vga'), 'std');
  s.restore('k');
  assert.equal(s.get('vga'), 'cirrus');
  assert.deepEqual(s.savedNames(), ['k']);
  s.clearSaved();
  assert.deepEqual(s.savedNames(), []);
});
