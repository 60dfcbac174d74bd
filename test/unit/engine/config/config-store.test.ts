import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigStore } from '../../../../engine/config/config-store.js';
import { defaultConfig } from '../../../../engine/config/defaults.js';
import { validateConfig } from '../../../../engine/config/validate.js';
import { EngineError } from '../../../../engine/errors.js';

test('defaults match minimega', async () => {
  assert.deepEqual(defaultConfig(), {
    filesystem: '',
    hostname: '',
    init: ['/init'],
    preinit: '',
    fifos: 0,
    volumes: {},
    memory: 2048,
    vcpus: 1,
    snapshot: true,
    uuid: '',
    net: [],
    tags: {},
    backchannel: true,
  });
});

test('getters print minimega text', async () => {
  const s = new ConfigStore();
  assert.equal(s.get('memory'), '2048');
  assert.equal(s.get('vcpus'), '1');
  assert.equal(s.get('snapshot'), 'true');
  assert.equal(s.get('init'), '[/init]');
  assert.equal(s.get('networks'), '[]');
  assert.equal(s.get('net'), '[]', 'net is a prefix of networks');
  assert.equal(s.get('tags'), '');
  assert.equal(s.get('uuid'), '');
  assert.equal(s.get('qemu'), 'kvm', 'KVM fields have minimega defaults too');
  assert.equal(s.get('coschedule'), '-1');
  assert.equal(s.get('android-no-window'), 'true');
});

test('setters change the field and field names match by prefix', async () => {
  const s = new ConfigStore();
  await s.set('mem', ['1024']);
  assert.equal(s.get('memory'), '1024');
  await s.set('tag', ['color', 'red']);
  assert.equal(s.get('tags'), 'color -> red');
  assert.equal(s.get('tags', 'color'), 'red');
  await s.set('init', ['/bin/sh', '-c', 'true']);
  assert.equal(s.get('init'), '[/bin/sh -c true]');
  await s.set('snap', ['false']);
  assert.equal(s.get('snapshot'), 'false');
});

test('unknown and ambiguous field names are clear errors', async () => {
  const s = new ConfigStore();
  assert.throws(() => s.get('bogus'), { message: 'unknown vm config field `bogus`' });
  assert.throws(() => s.get('f'), { message: 'ambiguous vm config field `f`: filesystem, fifos' });
  assert.throws(() => s.get('fi'), /ambiguous/);
  assert.equal(s.get('fil'), '');
  assert.equal(s.get('fif'), '0');
});

test('integer fields reject junk with strconv errors', async () => {
  const s = new ConfigStore();
  await assert.rejects(() => s.set('memory', ['foo']), { message: 'strconv.ParseUint: parsing "foo": invalid syntax' });
  await assert.rejects(() => s.set('vcpus', ['-1']), { message: 'strconv.ParseUint: parsing "-1": invalid syntax' });
  await assert.rejects(() => s.set('fifos', ['99999999999999999999']), {
    message: 'strconv.ParseUint: parsing "99999999999999999999": value out of range',
  });
  await assert.rejects(() => s.set('snapshot', ['maybe']), { message: 'vm config snapshot takes true or false, not `maybe`' });
  assert.equal(s.get('memory'), '2048', 'a refused value leaves the field unchanged');
});

test('absurd values are refused with a config error naming the field', async () => {
  const s = new ConfigStore();
  for (const [field, args] of [
    ['memory', ['0']],
    ['memory', [String(17 * 1024 * 1024)]],
    ['vcpus', ['0']],
    ['vcpus', ['4097']],
    ['fifos', ['1025']],
    ['preinit', ['/x\ny']],
    ['init', ['/../etc/x']],
    ['volume', ['/data', '/x\u0000y']],
    ['volume', ['data', '/host']],
    ['volume', ['/a|b', '/host']],
    ['filesystem', ['/x\ny']],
    ['hostname', ['x'.repeat(5000)]],
  ] as const) {
    await assert.rejects(
      () => s.set(field, [...args]),
      (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG',
      `${field} ${args}`,
    );
  }
  validateConfig(defaultConfig());
});

test('clear resets one field, one key, or everything', async () => {
  const s = new ConfigStore();
  await s.set('memory', ['512']);
  await s.set('tags', ['a', '1']);
  await s.set('tags', ['b', '2']);
  s.clear('memory');
  assert.equal(s.get('memory'), '2048');
  s.clear('tags', 'a');
  assert.equal(s.get('tags'), 'b -> 2');
  await s.set('vcpus', ['4']);
  s.clear();
  assert.deepEqual(s.current, defaultConfig());
});

test('save and restore keep independent copies', async () => {
  const s = new ConfigStore();
  await s.set('tags', ['k', 'v']);
  s.save('one');
  await s.set('tags', ['k', 'w']);
  s.restore('one');
  assert.equal(s.get('tags'), 'k -> v');
  assert.throws(() => s.restore('nope'), { message: 'config nope does not exist' });
});

test('clone copies everything but the uuid', async () => {
  const s = new ConfigStore();
  s.clone({ ...defaultConfig(), memory: 99, uuid: 'abc', filesystem: '/fs' });
  assert.equal(s.current.memory, 99);
  assert.equal(s.current.filesystem, '/fs');
  assert.equal(s.current.uuid, '');
});

test('vm config networks prints like minimega: default bridge and driver left out', async () => {
  const s = new ConfigStore();
  await s.set('net', ['1']);
  assert.equal(s.get('networks'), '[1]');
  await s.set('networks', ['test_bridge,1,02:37:13:37:00:03', 'test_bridge,5,02:37:13:37:00:04', 'mega_bridge,LAN,e1000', '7,virtio-net-pci,qinq']);
  assert.equal(s.get('net'), '[test_bridge,1,02:37:13:37:00:03 test_bridge,5,02:37:13:37:00:04 LAN 7,virtio-net-pci,qinq]');
});

test('vm config networks allocates VLAN aliases when it is set', async () => {
  const allocated: string[][] = [];
  const s = new ConfigStore({ filesDir: '/f', hostname: 'h', allocateVlans: async (v) => allocated.push(v) });
  await s.set('net', ['A', 'br,B,e1000', '100']);
  assert.deepEqual(allocated, [['A', 'B', '100']]);
  await assert.rejects(() => s.set('net', ['4096']), /invalid VLAN 4096/);
  assert.equal(allocated.length, 1, 'nothing allocated for a refused spec');
});

test('relative host paths resolve under the files directory; preinit is checked on the host', async () => {
  const checked: string[] = [];
  const s = new ConfigStore({
    filesDir: '/srv/files',
    hostname: 'h',
    checkPreinit: async (c) => {
      checked.push(c.preinit);
      if (c.preinit.endsWith('bad')) throw new EngineError('E_CONFIG', `preinit \`${c.preinit}\` is owned by uid 1000, not root`);
    },
  });
  await s.set('filesystem', ['containerfs']);
  assert.equal(s.get('filesystem'), '/srv/files/containerfs');
  await s.set('preinit', ['minirouterfs/preinit']);
  assert.equal(s.get('preinit'), '/srv/files/minirouterfs/preinit');
  await s.set('volume', ['/data', 'shared/../data']);
  assert.equal(s.get('volume', '/data'), '/srv/files/data');
  await s.set('filesystem', ['/abs/fs']);
  assert.equal(s.get('filesystem'), '/abs/fs');
  await assert.rejects(() => s.set('preinit', ['bad']), /preinit `\/srv\/files\/bad` is owned by uid 1000/);
  assert.equal(s.get('preinit'), '/srv/files/minirouterfs/preinit', 'a refused preinit leaves the field unchanged');
  assert.deepEqual(checked, ['/srv/files/minirouterfs/preinit', '/srv/files/bad']);
});

test('volumes list as path -> host and answer a keyed getter', async () => {
  const s = new ConfigStore();
  await s.set('volume', ['/scratch', '/tmp/minivolume']);
  assert.equal(s.get('volume'), '/scratch -> /tmp/minivolume');
  assert.equal(s.get('volume', '/scratch'), '/tmp/minivolume');
});

test('KVM and Android fields are stored, printed by their getters and reset by clear', async () => {
  const s = new ConfigStore({ filesDir: '/tmp/minimega/files', hostname: 'h' });
  await s.set('kernel', ['foo']);
  assert.equal(s.get('kernel'), '/tmp/minimega/files/foo', 'relative paths are in the files directory');
  await s.set('disk', ['a,virtio', '/abs/b,writeback']);
  assert.equal(s.get('disks'), '[/tmp/minimega/files/a,virtio /abs/b,writeback]');
  await assert.rejects(() => s.set('disks', ['a,nope']), { message: 'malformed diskspec' });
  await assert.rejects(() => s.set('disks', ['a', 'a']), { message: 'disk conflict: /tmp/minimega/files/a' });
  await s.set('qemu-append', ['-k', 'en-us']);
  assert.equal(s.get('qemu-append'), '[-k en-us]');
  await s.set('migrate', ['st']);
  assert.equal(s.get('state'), '/tmp/minimega/files/st', 'migrate is state');
  await s.set('bonds', ['0,1,balance-tcp,active,no-lacp-fallback,uplink']);
  assert.equal(s.get('bonds'), '[0,1,balance-tcp,active,no-lacp-fallback,uplink]');
  await assert.rejects(() => s.set('bonds', ['0,1']), { message: 'malformed bondspec' });
  await assert.rejects(() => s.set('android-console-base-port', ['5555']), /even port/);
  await s.set('schedule', ['localhost']);
  await assert.rejects(() => s.set('colocate', ['vm1']), { message: 'cannot specify colocate and schedule in the same config' });
  await assert.rejects(() => s.set('schedule', ['elsewhere']), { message: 'host is not in namespace: elsewhere' });
  s.clear('kernel');
  assert.equal(s.get('kernel'), '');
  s.clear();
  assert.equal(s.get('disks'), '[]');
  assert.equal(s.get('schedule'), '');
  assert.equal(s.current.memory, 2048);
});

test("save and restore keep the KVM settings too; restore of an unknown name is minimega's error", async () => {
  const s = new ConfigStore();
  await s.set('vga', ['cirrus']);
  s.save('k');
  s.clear();
  assert.equal(s.get('vga'), 'std');
  s.restore('k');
  assert.equal(s.get('vga'), 'cirrus');
  assert.deepEqual(s.savedNames(), ['k']);
  s.clearSaved();
  assert.deepEqual(s.savedNames(), []);
});
