import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CALL_NAMES } from '../../../../engine/api/contract.js';
import { EngineError, ERROR_CODES } from '../../../../engine/api/errors.js';
import { bridgeOf, ListenerSet, unwrap, WireClient } from '../../../../engine/api/wire-client.js';
import {
  BASE_ENV,
  baseFrom,
  DEFAULT_BASE,
  FRAME,
  LineSplitter,
  LineTooLong,
  MAX_LINE_BYTES,
  MAX_REPLY_BYTES,
  parseClientFrame,
  parseServerFrame,
  socketPath,
  SOCKET_NAME,
  type ClientFrame,
} from '../../../../engine/api/wire.js';

describe('LineSplitter', () => {
  test('joins a line split over chunks and keeps the unfinished rest', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('{"a"'), []);
    assert.deepEqual(s.push(':1}\n{"b":2}\n{"c'), ['{"a":1}', '{"b":2}']);
    assert.equal(s.pending, 3);
    assert.deepEqual(s.push('"}\n'), ['{"c"}']);
    assert.equal(s.pending, 0);
  });

  test('keeps empty lines (the caller decides what they mean)', () => {
    assert.deepEqual(new LineSplitter().push('\n\nx\n'), ['', '', 'x']);
  });

  test('throws LineTooLong as soon as an unfinished line passes the limit', () => {
    const s = new LineSplitter(10);
    s.push('12345');
    assert.throws(
      () => s.push('678901'),
      (e: unknown) => e instanceof LineTooLong && e.limit === 10,
    );
  });

  test('throws LineTooLong for a finished line past the limit in one chunk', () => {
    assert.throws(() => new LineSplitter(4).push('12345\n'), LineTooLong);
    assert.deepEqual(new LineSplitter(4).push('1234\n'), ['1234']);
  });

  test('a 2 MB line arriving in 4 KiB chunks is joined once', () => {
    const s = new LineSplitter();
    const line = 'x'.repeat(2 << 20);
    let out: string[] = [];
    for (let i = 0; i < line.length; i += 4096) out = out.concat(s.push(line.slice(i, i + 4096)));
    out = out.concat(s.push('\n'));
    assert.equal(out.length, 1);
    assert.equal(out[0]!.length, line.length);
  });
});

describe('frames', () => {
  test('a call frame is rebuilt with its known fields only', () => {
    assert.deepEqual(parseClientFrame('{"type":"call","id":3,"method":"vm.info","args":[],"extra":1}'), {
      type: 'call',
      id: 3,
      method: 'vm.info',
      args: [],
    });
  });

  test('malformed client frames are refused', () => {
    for (const bad of [
      '',
      'not json',
      '[]',
      'null',
      '{"type":"call","id":"1","method":"x","args":[]}',
      '{"type":"call","id":1,"method":"x"}',
      '{"type":"subscribe","events":[1]}',
      '{"type":"nope"}',
    ]) {
      assert.equal(parseClientFrame(bad), undefined, bad);
    }
  });

  test('a failed result with an unknown code reads as E_INTERNAL and keeps its message', () => {
    assert.deepEqual(parseServerFrame('{"type":"result","id":1,"ok":false,"error":{"code":"E_WHAT","message":"m"}}'), {
      type: 'result',
      id: 1,
      ok: false,
      error: { code: 'E_INTERNAL', message: 'm' },
    });
  });

  test('E_UNAVAILABLE is a declared error code', () => {
    assert.ok((ERROR_CODES as readonly string[]).includes('E_UNAVAILABLE'));
  });

  test('socket paths and the base from the environment', () => {
    assert.equal(socketPath('/run/nanomega/'), '/run/nanomega/nanomega.sock');
    assert.equal(baseFrom({}), DEFAULT_BASE);
    assert.equal(baseFrom({ [BASE_ENV]: '' }), DEFAULT_BASE);
    assert.equal(baseFrom({ [BASE_ENV]: '/tmp/b' }), '/tmp/b');
  });
});

/** A WireClient whose frames go to an array; `up` says whether the transport is connected. */
function harness(up = true) {
  const sent: ClientFrame[] = [];
  const state = { up };
  const wire = new WireClient((f) => {
    if (!state.up) return false;
    sent.push(f);
    return true;
  });
  return { wire, sent, state };
}

describe('WireClient', () => {
  test('numbers calls and settles each by its id, in any order', async () => {
    const { wire, sent } = harness();
    const a = wire.request('vm.info', []);
    const b = wire.request('vm.start', ['x']);
    assert.deepEqual(
      sent.map((f) => f.type === 'call' && f.id),
      [1, 2],
    );
    wire.receive('{"type":"result","id":2,"ok":false,"error":{"code":"E_NOT_FOUND","message":"vm not found: x"}}');
    wire.receive('{"type":"result","id":1,"ok":true,"value":[]}');
    assert.deepEqual(await a, { ok: true, value: [] });
    assert.deepEqual(await b, { ok: false, error: { code: 'E_NOT_FOUND', message: 'vm not found: x' } });
    assert.equal(wire.inFlight, 0);
  });

  test('call() rejects with an EngineError that keeps the code and detail', async () => {
    const { wire } = harness();
    const p = wire.call('vm.start', 'x');
    wire.receive('{"type":"result","id":1,"ok":false,"error":{"code":"E_STATE","message":"no","detail":{"from":"QUIT"}}}');
    await assert.rejects(p, (e: unknown) => e instanceof EngineError && e.code === 'E_STATE' && e.detail.from === 'QUIT');
  });

  test('a lost connection fails every call in flight with E_UNAVAILABLE; no connection fails at once', async () => {
    const { wire, state } = harness();
    const p = wire.request('vm.info', []);
    wire.disconnected();
    const r = await p;
    assert.equal(!r.ok && r.error.code, 'E_UNAVAILABLE');
    state.up = false;
    const q = await wire.request('vm.info', []);
    assert.equal(!q.ok && q.error.code, 'E_UNAVAILABLE');
  });

  test('subscribes on the first listener, unsubscribes after the last, resubscribes on reconnect', () => {
    const { wire, sent } = harness();
    const got: unknown[] = [];
    const off1 = wire.on('engine.log', (p) => got.push(p));
    const off2 = wire.on('engine.log', (p) => got.push(p));
    assert.deepEqual(sent, [{ type: FRAME.subscribe, events: ['engine.log'] }]);
    wire.receive('{"type":"event","name":"engine.log","payload":7}');
    assert.deepEqual(got, [7, 7]);
    wire.connected();
    assert.deepEqual(sent.at(-1), { type: FRAME.subscribe, events: ['engine.log'] });
    off1();
    off2();
    assert.deepEqual(sent.at(-1), { type: FRAME.unsubscribe, events: ['engine.log'] });
    off2(); // twice is harmless
    assert.equal((sent as ClientFrame[]).filter((f) => f.type === 'unsubscribe').length, 1);
  });

  test('malformed frames from the daemon are dropped', () => {
    const { wire } = harness();
    assert.doesNotThrow(() => wire.receive('garbage'));
  });

  test('bridgeOf and unwrap give the page an EngineError with the code (what contextBridge would lose)', async () => {
    const bridge = bridgeOf({
      request: async () => ({ ok: false, error: { code: 'E_CONFIG', message: 'bad', detail: { field: 'memory' } } }),
      on: () => () => undefined,
    });
    await assert.rejects(bridge.call('vm.info'), (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG' && e.detail.field === 'memory');
    assert.equal(unwrap({ ok: true, value: 3 }), 3);
  });

  test('ListenerSet reports its edges once per name', () => {
    const edges: string[] = [];
    const set = new ListenerSet({ first: (n) => edges.push(`+${n}`), last: (n) => edges.push(`-${n}`) });
    const a = set.add('x', () => undefined);
    const b = set.add('x', () => undefined);
    a();
    b();
    assert.deepEqual(edges, ['+x', '-x']);
  });
});

describe('the native client speaks the same protocol', () => {
  const header = readFileSync(new URL('../../../../../shim/client/wire.h', import.meta.url), 'utf8');
  const defines = new Map([...header.matchAll(/^#define (NM_\w+) (.+)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
  const str = (name: string) => JSON.parse(defines.get(name) ?? 'null') as string;
  const num = (name: string) => Number(Function(`return ${defines.get(name)}`)());

  test('every NM_ constant of shim/client/wire.h equals its TypeScript counterpart', () => {
    const expected: Record<string, () => void> = {
      NM_SOCKET_NAME: () => assert.equal(str('NM_SOCKET_NAME'), SOCKET_NAME),
      NM_DEFAULT_BASE: () => assert.equal(str('NM_DEFAULT_BASE'), DEFAULT_BASE),
      NM_BASE_ENV: () => assert.equal(str('NM_BASE_ENV'), BASE_ENV),
      NM_FRAME_CALL: () => assert.equal(str('NM_FRAME_CALL'), FRAME.call),
      NM_FRAME_RESULT: () => assert.equal(str('NM_FRAME_RESULT'), FRAME.result),
      NM_CALL_EXEC: () => assert.ok(CALL_NAMES.includes(str('NM_CALL_EXEC') as never)),
      NM_CALL_SUGGEST: () => assert.ok(CALL_NAMES.includes(str('NM_CALL_SUGGEST') as never)),
      NM_MAX_LINE_BYTES: () => assert.equal(num('NM_MAX_LINE_BYTES'), MAX_LINE_BYTES),
      NM_MAX_REPLY_BYTES: () => assert.equal(num('NM_MAX_REPLY_BYTES'), MAX_REPLY_BYTES),
    };
    const names = [...defines.keys()].filter((n) => !n.endsWith('_H'));
    assert.deepEqual(names.sort(), Object.keys(expected).sort(), 'wire.h and this test list the same constants');
    for (const n of names) expected[n]!();
  });
});
