import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../../../engine/errors.js';
import { imageDefaults, mergeEnv, registryRef } from '../../../../engine/rootfs/image.js';

test('an image config gives entrypoint + command, its environment and working directory', () => {
  const cfg = JSON.stringify({ config: { Entrypoint: ['/entry', '-x'], Cmd: ['serve'], Env: ['A=1', 'B=two=2', 'junk'], WorkingDir: '/srv' } });
  assert.deepEqual(imageDefaults(cfg, 'x'), { init: ['/entry', '-x', 'serve'], env: ['A=1', 'B=two=2'], workdir: '/srv' });
  assert.deepEqual(imageDefaults('{}', 'x'), { init: [], env: [], workdir: '' });
  assert.deepEqual(imageDefaults(JSON.stringify({ config: { Cmd: null } }), 'x').init, []);
});

test('a malformed image config is an error naming the field', () => {
  assert.throws(
    () => imageDefaults('not json', 'docker-archive:/t.tar'),
    (e: EngineError) => e.code === 'E_CONFIG' && /unreadable config/.test(e.message),
  );
  assert.throws(() => imageDefaults(JSON.stringify({ config: { Cmd: 'sh -c x' } }), 'x'), /config Cmd is not a list of strings/);
  assert.throws(() => imageDefaults(JSON.stringify({ config: { Entrypoint: ['a\0b'] } }), 'x'), /Entrypoint is not a list/);
  assert.throws(() => imageDefaults(JSON.stringify({ config: { WorkingDir: 'rel/dir' } }), 'x'), /WorkingDir `rel\/dir` is not absolute/);
});

test("the image's variables replace ours by name; ours stay where it is silent", () => {
  assert.deepEqual(mergeEnv(['PATH=/usr/bin', 'TERM=xterm', 'HOME=/root'], ['PATH=/opt/bin', 'FOO=1']), ['TERM=xterm', 'HOME=/root', 'PATH=/opt/bin', 'FOO=1']);
});

test('registry references: docker:// added, anything that could be another transport or option refused', () => {
  assert.equal(registryRef('127.0.0.1:5000/nm/bb:1'), 'docker://127.0.0.1:5000/nm/bb:1');
  assert.equal(registryRef('docker://busybox@sha256:' + 'a'.repeat(64)), 'docker://busybox@sha256:' + 'a'.repeat(64));
  for (const bad of ['oci:/tmp/x', '--src-creds=x', 'dir:/etc', '', 'a b', 'x/../y', 'docker-archive:/t.tar']) {
    assert.throws(() => registryRef(bad), /invalid reference/, bad);
  }
});
