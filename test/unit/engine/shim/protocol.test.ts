import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  FRAME_HEADER_BYTES,
  FrameReader,
  SHIM_MAX_PAYLOAD,
  ShimMsg,
  decodeAddrs,
  decodeError,
  encodeBootstrap,
  encodeContinue,
  encodeFrame,
} from '../../../../engine/shim/protocol.js';
import type { ShimBootstrap } from '../../../../engine/shim/shim-process.js';
import { parseExitRecord } from '../../../../engine/shim/control-client.js';

const header = readFileSync(new URL('../../../../../shim/src/protocol.h', import.meta.url), 'utf8');

/** The enum as the C compiler numbers it: explicit values, else previous + 1. */
function parseEnum(src: string): Map<string, number> {
  const body = /enum\s+shim_msg\s*\{([\s\S]*?)\};/.exec(src)?.[1];
  assert.ok(body, 'enum shim_msg not found in protocol.h');
  const out = new Map<string, number>();
  let next = 0;
  for (const m of body.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/(SHIM_MSG_\w+)\s*(?:=\s*(0x[0-9a-fA-F]+|\d+))?\s*,?/g)) {
    const value = m[2] !== undefined ? Number(m[2]) : next;
    out.set(m[1]!.slice('SHIM_MSG_'.length), value);
    next = value + 1;
  }
  return out;
}

test('protocol.h and ShimMsg list the same messages with the same numbers', () => {
  const c = parseEnum(header);
  assert.deepEqual(Object.fromEntries(c), { ...ShimMsg });
});

test('protocol.h max payload and header size agree', () => {
  const m = /#define\s+SHIM_MAX_PAYLOAD\s+\((\d+)\s*\*\s*(\d+)\)/.exec(header);
  assert.ok(m);
  assert.equal(Number(m[1]) * Number(m[2]), SHIM_MAX_PAYLOAD);
  assert.match(header, /struct shim_frame_header\s*\{\s*uint32_t type;[^}]*uint32_t len;/);
  assert.equal(FRAME_HEADER_BYTES, 8);
});

test('frames round-trip, including empty payloads', () => {
  const r = new FrameReader();
  const bytes = Buffer.concat([encodeFrame(ShimMsg.PID, '12 34'), encodeFrame(ShimMsg.READY), encodeFrame(ShimMsg.EXITED, 'code=0\n')]);
  const frames = r.push(bytes);
  assert.deepEqual(
    frames.map((f) => [f.type, f.payload.toString()]),
    [
      [ShimMsg.PID, '12 34'],
      [ShimMsg.READY, ''],
      [ShimMsg.EXITED, 'code=0\n'],
    ],
  );
  assert.equal(r.pending, 0);
});

test('frames split at every byte boundary reassemble', () => {
  const bytes = Buffer.concat([encodeFrame(ShimMsg.HELLO, '1 2 running'), encodeFrame(ShimMsg.RESIZE, '80 24')]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const r = new FrameReader();
    const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
    assert.deepEqual(
      got.map((f) => f.payload.toString()),
      ['1 2 running', '80 24'],
      `cut at ${cut}`,
    );
  }
  const r = new FrameReader();
  const one = encodeFrame(ShimMsg.EXEC, 'x'.repeat(100));
  const got = [];
  for (const b of one) got.push(...r.push(Buffer.from([b])));
  assert.equal(got.length, 1);
  assert.equal(got[0]!.payload.length, 100);
});

test('oversized frames are refused both ways', () => {
  assert.throws(() => encodeFrame(ShimMsg.BOOTSTRAP, Buffer.alloc(SHIM_MAX_PAYLOAD + 1)), RangeError);
  const h = encodeFrame(ShimMsg.BOOTSTRAP);
  h.writeUInt32LE(SHIM_MAX_PAYLOAD + 1, 4);
  h.writeUInt32BE(SHIM_MAX_PAYLOAD + 1, 4);
  assert.throws(() => new FrameReader().push(h), RangeError);
});

const boot: ShimBootstrap = {
  id: 3,
  name: 'web',
  dir: '/run/nm/3',
  rootfs: '/srv/rootfs',
  snapshot: true,
  hostname: 'web',
  uuid: 'abc',
  init: ['/init', '-v'],
  env: ['PATH=/bin', 'container=nanomega'],
  preinit: '',
  fifos: 2,
  volumes: [
    { src: '/usr', dst: '/usr', readonly: true },
    { src: '/data', dst: '/mnt', readonly: false },
  ],
  cgroups: ['/sys/fs/cgroup/pids/nm/3'],
  caps: ['NET_ADMIN'],
  cols: 80,
  rows: 24,
  scrollback: 65536,
};

test('encodeBootstrap writes key=value\\0 pairs with repeated keys in order', () => {
  const pairs = encodeBootstrap(boot).toString().split('\0');
  assert.equal(pairs.pop(), '');
  assert.deepEqual(pairs, [
    'id=3',
    'name=web',
    'dir=/run/nm/3',
    'rootfs=/srv/rootfs',
    'snapshot=1',
    'hostname=web',
    'uuid=abc',
    'init=/init',
    'init=-v',
    'env=PATH=/bin',
    'env=container=nanomega',
    'preinit=',
    'fifos=2',
    'volume=ro|/usr|/usr',
    'volume=rw|/data|/mnt',
    'cgroup=/sys/fs/cgroup/pids/nm/3',
    'caps=NET_ADMIN',
    'cols=80',
    'rows=24',
    'scrollback=65536',
  ]);
  assert.throws(() => encodeBootstrap({ ...boot, name: 'a\0b' }), RangeError);
});

test('encodeBootstrap sends the freezer only when set: freeze= (v2) or freezer= (v1)', () => {
  const tail = (b: ShimBootstrap) => encodeBootstrap(b).toString().split('\0').slice(-5, -1);
  assert.deepEqual(tail({ ...boot, freeze: { mode: 'v2', dir: '/sys/fs/cgroup/nanomega/nm-3' } }), [
    'freeze=/sys/fs/cgroup/nanomega/nm-3',
    'cols=80',
    'rows=24',
    'scrollback=65536',
  ]);
  assert.deepEqual(tail({ ...boot, freeze: { mode: 'v1', dir: '/sys/fs/cgroup/freezer/nanomega/nm-3' } }), [
    'freezer=/sys/fs/cgroup/freezer/nanomega/nm-3',
    'cols=80',
    'rows=24',
    'scrollback=65536',
  ]);
  assert.ok(!encodeBootstrap(boot).toString().includes('freeze'));
});

test('encodeContinue writes nic=<ifname>|<ip>\\0 per NIC in order, nothing without NICs', () => {
  assert.equal(encodeContinue([]).length, 0);
  const nics = [
    { ifname: 'veth0', ip: '10.1.0.1/24' },
    { ifname: 'veth1', ip: '' },
    { ifname: 'veth2', ip: 'fd00::2/64' },
  ];
  assert.equal(encodeContinue(nics).toString(), 'nic=veth0|10.1.0.1/24\0nic=veth1|\0nic=veth2|fd00::2/64\0');
  assert.throws(() => encodeContinue([{ ifname: 'a|b', ip: '' }]), RangeError);
  assert.throws(() => encodeContinue([{ ifname: 'veth0', ip: '10.0.0.1\0' }]), RangeError);
});

test('protocol.h documents the CONTINUE key encodeContinue writes', () => {
  assert.match(header, /CONTINUE keys[\s\S]*\bnic \("<ifname>\|<address>"/);
});

test('decodeError and parseExitRecord', () => {
  assert.deepEqual(decodeError(Buffer.from('2\0init `/init`: No such file or directory')), {
    errno: 2,
    message: 'init `/init`: No such file or directory',
  });
  assert.deepEqual(parseExitRecord('code=3\ntime=1700000000000\n'), { code: 3, time: 1700000000000 });
  assert.deepEqual(parseExitRecord('signal=9\ntime=5\n'), { signal: 9, time: 5 });
});

test('decodeAddrs reads the ADDRS answer; a NUL payload is the monitor failing the query', () => {
  const text = 'lo\t00:00:00:00:00:00\t127.0.0.1/8\t::1/128\nveth0\t02:6d:e7:00:00:0b\t10.1.0.1/24,10.1.0.9/24\tfd00::2/64,fe80::1/64\ntun0\t\t\t\n';
  assert.deepEqual(decodeAddrs(Buffer.from(text)), [
    { ifname: 'lo', mac: '00:00:00:00:00:00', ip: ['127.0.0.1/8'], ip6: ['::1/128'] },
    { ifname: 'veth0', mac: '02:6d:e7:00:00:0b', ip: ['10.1.0.1/24', '10.1.0.9/24'], ip6: ['fd00::2/64', 'fe80::1/64'] },
    { ifname: 'tun0', mac: '', ip: [], ip6: [] },
  ]);
  assert.deepEqual(decodeAddrs(Buffer.alloc(0)), []);
  assert.throws(
    () => decodeAddrs(Buffer.from('1\0setns: Operation not permitted')),
    (e: Error & { errno?: number }) => e.message === 'setns: Operation not permitted' && e.errno === 1,
  );
  assert.throws(() => decodeAddrs(Buffer.from('veth0\t02:00:00:00:00:01\n')), /bad line/);
  // The answer format is documented where the C side is.
  assert.match(header, /SHIM_MSG_ADDRS,/);
  assert.match(header, /"<ifname>\\t<mac>\\t<IPv4 CIDRs>\\t<IPv6 CIDRs>\\n"/);
});
