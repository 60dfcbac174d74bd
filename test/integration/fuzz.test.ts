// Property tests of the two protocols that reach root processes, against the real things: the
// daemon's JSON line protocol on <base>/nanomega.sock (malformed, truncated, huge, deeply nested,
// wrong types) and a real monitor's control socket (random frames). 10 000 frames each, sent in
// batches; every daemon frame gets its answer, both keep serving, nothing is left behind.
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CALL_NAMES } from '../../engine/api/contract.js';
import { LineSplitter, parseClientFrame, parseServerFrame } from '../../engine/api/wire.js';
import { ShimControl } from '../../engine/shim/control-client.js';
import { encodeFrame, FRAME_HEADER_BYTES, ShimMsg } from '../../engine/shim/protocol.js';
import { socketPath } from '../../cli/engine-client.js';
import { ConsoleClient } from '../helpers/console.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';
import { alive, until } from '../helpers/wait.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
/** Frames per protocol in CI (issue 12: 10 000). */
const RUNS = 10_000;
/** Lines written before waiting for their answers. */
const BATCH = 500;

/**
 * Calls whose handlers may run with random arguments on a scratch daemon: they read, or act on
 * targets that do not exist. Every other method gets arguments of the wrong type, so the fuzz never
 * launches, nukes, runs a shell or starts a server.
 */
const HARMLESS = new Set([
  'vm.info',
  'vm.start',
  'vm.stop',
  'vm.kill',
  'vm.flush',
  'vm.tag',
  'config.get',
  'net.vlans',
  'stats.series',
  'stats.host',
  'stats.watch',
  'cli.suggest',
  'console.input',
  'console.ack',
  'console.resize',
  'console.close',
  'tap.list',
  'dnsmasq.list',
]);

/** A raw connection to the daemon socket that collects answer frames. */
class Raw {
  readonly frames: string[] = [];
  closed = false;
  private readonly lines = new LineSplitter(Infinity);
  private constructor(readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.frames.push(...this.lines.push(d));
    });
    sock.on('error', () => undefined);
    sock.on('close', () => (this.closed = true));
  }
  static open(path: string): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(new Raw(s)));
      s.once('error', reject);
    });
  }
}

describe('fuzzing the daemon and a monitor', { skip, timeout: 300_000 }, () => {
  const suite = useContainerSuite();

  test(`${RUNS} random frames on the daemon socket: one answer each, the daemon keeps serving`, async () => {
    let nextId = 1;
    const call = fc
      .record({
        method: fc.oneof(fc.constantFrom(...CALL_NAMES), fc.string({ maxLength: 20 })),
        args: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }), fc.constant([])),
      })
      .map(({ method, args }) => {
        // Methods that act get a number where their first argument is never one (or an extra one).
        const safe = HARMLESS.has(method) || !(CALL_NAMES as readonly string[]).includes(method) ? args : [{ not: 'a valid argument' }, ...args];
        return JSON.stringify({ type: 'call', id: nextId++, method, args: safe });
      });
    const line = fc.oneof(
      { weight: 4, arbitrary: call },
      {
        weight: 1,
        arbitrary: fc
          .record({ type: fc.constantFrom('subscribe', 'unsubscribe'), events: fc.array(fc.string({ maxLength: 16 }), { maxLength: 3 }) })
          .map((f) => JSON.stringify(f)),
      },
      // Wrong types and shapes: ids that are strings, args that are not arrays, no type, other types.
      {
        weight: 2,
        arbitrary: fc
          .record(
            {
              type: fc.oneof(fc.constantFrom('call', 'result', 'event', 'subscribe'), fc.jsonValue()),
              id: fc.jsonValue(),
              method: fc.jsonValue(),
              args: fc.jsonValue(),
              events: fc.jsonValue(),
            },
            { requiredKeys: [] },
          )
          .map((f) => JSON.stringify(f)),
      },
      { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      // Malformed and truncated JSON, control characters (no newline: that would be two lines).
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }).map((s) => s.replace(/[\n\r]/g, ' ')) },
      { weight: 1, arbitrary: call.chain((c) => fc.nat(c.length - 1).map((n) => c.slice(0, n))) },
      // Deeply nested and huge (under the 8 MiB line limit).
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 100, max: 10_000 })
          .map((n) => `{"type":"call","id":${nextId++},"method":"vm.info","args":[${'{"a":'.repeat(n)}1${'}'.repeat(n)}]}`),
      },
    );
    const lines = fc.sample(line, { numRuns: RUNS, seed: 1212 });
    // Deeper than any parser recursion could go.
    lines.push('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    lines.push(`{"type":"call","id":${nextId++},"method":"vm.info","args":[${'{"a":'.repeat(500_000)}1${'}'.repeat(500_000)}]}`);
    // Two huge ones: a 2 MB string argument (read whole and refused by the argument check).
    lines.push(JSON.stringify({ type: 'call', id: nextId++, method: 'vm.start', args: ['x'.repeat(2_000_000)] }));
    lines.push(JSON.stringify({ type: 'call', id: nextId++, method: 'cli.exec', args: [{ line: 'x'.repeat(2_000_000) }] }));

    const raw = await Raw.open(socketPath(suite.d.base));
    let expected = 0;
    const callIds: number[] = [];
    for (let i = 0; i < lines.length; i += BATCH) {
      const batch = lines.slice(i, i + BATCH);
      for (const l of batch) {
        const f = parseClientFrame(l);
        // A blank line is skipped (as minimega's socket does); a malformed one is answered.
        if ((!f && l.trim() !== '') || f?.type === 'call') expected++;
        if (f?.type === 'call') callIds.push(f.id);
      }
      raw.sock.write(batch.join('\n') + '\n');
      await until(
        () => `answers ${raw.frames.length} of ${expected} (closed: ${raw.closed})`,
        () => raw.frames.length >= expected || raw.closed,
        60_000,
      );
      assert.equal(raw.closed, false, 'the daemon keeps the connection');
    }
    assert.equal(raw.frames.length, expected, 'one answer per call or malformed frame, none for (un)subscribe or a blank line');
    const answered: number[] = [];
    for (const f of raw.frames) {
      const parsed = parseServerFrame(f);
      assert.ok(parsed, `a well-formed answer: ${f.slice(0, 200)}`);
      if (parsed.type === 'result' && parsed.id !== undefined && callIds.includes(parsed.id)) answered.push(parsed.id);
      else if (parsed.type === 'result') assert.equal(parsed.ok, false, 'only calls succeed');
    }
    assert.deepEqual(
      answered.sort((a, b) => a - b),
      callIds.sort((a, b) => a - b),
      'every call answered once, by id',
    );
    raw.sock.destroy();

    // A line past the daemon's limit drops only that client; the daemon serves the next one.
    const big = await Raw.open(socketPath(suite.d.base));
    big.sock.write('x'.repeat(9 * 1024 * 1024));
    await until('the daemon to drop the client with the overlong line', () => big.closed, 60_000);
    assert.equal(suite.d.proc.exitCode, null, 'the daemon is alive');
    assert.deepEqual(await suite.d.client.call('vm.info'), []);
    assert.equal((await suite.d.exec('vm info')).errors.length, 0);
  });

  test(`${RUNS} random frames on a monitor's control socket: the monitor and its container carry on`, async () => {
    await suite.d.ok('vm launch container fz0');
    await suite.d.ok('vm start fz0');
    const c = (await suite.d.client.call('vm.info')).find((x) => x.name === 'fz0')!;
    const control = join(c.dir, 'control');
    const monitor = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .find((p) => {
        try {
          return readlinkSync(`/proc/${p}/exe`).includes('nanomega-shim') && readlinkSync(`/proc/${p}/fd/2`) === join(c.dir, 'shim.log');
        } catch {
          return false;
        }
      });
    assert.ok(monitor, 'fz0 has a monitor');

    const frame = fc.oneof(
      // A well-formed header: any type (the known ones included), a payload of random bytes.
      {
        weight: 6,
        arbitrary: fc
          .tuple(fc.oneof(fc.integer({ min: 0x50, max: 0x64 }), fc.nat(0xffff), fc.constant(0xffffffff)), fc.uint8Array({ maxLength: 512 }))
          .map(([t, p]) => encodeFrame(t, Buffer.from(p))),
      },
      {
        weight: 2,
        arbitrary: fc
          .oneof(
            fc.string({ maxLength: 20 }),
            fc.tuple(fc.integer(), fc.integer()).map(([a, b]) => `${a} ${b}`),
          )
          .map((s) => encodeFrame(ShimMsg.RESIZE, s)),
      },
      { weight: 1, arbitrary: fc.constant(encodeFrame(ShimMsg.ADDRS)) },
      // A header announcing more than the monitor accepts, or a payload cut short; raw garbage.
      {
        weight: 1,
        arbitrary: fc.integer({ min: 1024 * 1024 + 1, max: 0xffffffff }).map((len) => {
          const h = Buffer.alloc(FRAME_HEADER_BYTES);
          h.writeUInt32LE(ShimMsg.RESIZE, 0);
          h.writeUInt32LE(len, 4);
          return h;
        }),
      },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)) },
    );
    const frames = fc.sample(frame, { numRuns: RUNS, seed: 1213 });
    // The monitor reads frames until one announces more than it accepts (the connection ends) or waits
    // for a payload that never comes: a few frames per connection keep most of them read.
    const PER_CONNECTION = 5;
    for (let i = 0; i < frames.length; i += PER_CONNECTION) {
      const sock = connect(control);
      await new Promise<void>((resolve, reject) => {
        sock.once('connect', () => resolve());
        sock.once('error', reject);
      });
      sock.on('data', () => undefined);
      sock.on('error', () => undefined);
      const closed = new Promise<void>((r) => sock.once('close', () => r()));
      sock.end(Buffer.concat(frames.slice(i, i + PER_CONNECTION)));
      await closed;
      assert.ok(alive(monitor), `the monitor survives frames ${i}..${i + PER_CONNECTION}`);
    }
    // Still a working monitor: a new control client gets HELLO, the console answers, the daemon's
    // own connection to it still reports the exit.
    const ctl = await ShimControl.connect(c.dir);
    assert.equal(ctl.hello.initPid, c.pid);
    ctl.close();
    const con = await ConsoleClient.connect(c.console);
    assert.equal((await con.run('echo fuzzed-$((6*7))')).trim(), 'fuzzed-42');
    con.close();
    assert.equal((await suite.d.client.call('vm.info')).find((x) => x.name === 'fz0')?.state, 'RUNNING');
    await suite.d.ok('vm kill fz0');
    assert.equal((await suite.d.client.call('vm.info')).find((x) => x.name === 'fz0')?.state, 'QUIT');
    await suite.d.ok('vm flush');
  });
});
