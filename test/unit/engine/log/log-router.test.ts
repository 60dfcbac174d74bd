// The daemon's log sinks (`log …`) against a recording FakeHost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { LogRouter } from '../../../../engine/log/log-router.js';

const line = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => ({ t: Date.UTC(2026, 10, 30, 12), level, message });

function setup() {
  const host = new FakeHost();
  const stderr: string[] = [];
  const logs = new LogRouter(host);
  logs.attachStderr((t) => stderr.push(t));
  return { host, stderr, logs };
}

test('the level drops lower lines from every sink; filters drop lines containing their text', async () => {
  const { stderr, logs } = setup();
  logs.write(line('info', 'launched a'));
  logs.debug('cli: vm info');
  assert.deepEqual(stderr, ['2026-11-30T12:00:00.000Z info: launched a\n'], 'info by default, no debug');
  await logs.change({ level: 'warn' });
  logs.write(line('info', 'dropped'));
  logs.write(line('error', 'kept'));
  await logs.change({ level: 'debug', filter: 'secret' });
  logs.debug('cli: echo hi');
  logs.write(line('warn', 'a secret line'));
  assert.deepEqual(
    stderr.map((l) => l.slice(25)),
    ['info: launched a\n', 'error: kept\n', 'debug: cli: echo hi\n'],
  );
  assert.deepEqual(logs.state().filters, ['secret']);
  await logs.change({ clearFilters: true, level: null });
  assert.deepEqual({ level: logs.state().level, filters: logs.state().filters }, { level: 'info', filters: [] });
  await assert.rejects(logs.change({ level: 'loud' as never }), /invalid log level: loud/);
});

test('the ring keeps the newest SIZE lines, re-enabling empties it, and dumping without one is refused', async () => {
  const { logs } = setup();
  assert.throws(() => logs.dumpRing(), /cannot dump log ring, not enabled/);
  await logs.change({ ring: 2 });
  for (const m of ['a', 'b', 'c']) logs.write(line('info', m));
  assert.deepEqual(
    logs.dumpRing().map((l) => l.slice(25)),
    ['info: b\n', 'info: c\n'],
  );
  await logs.change({ ring: 5 });
  assert.deepEqual(logs.dumpRing(), []);
  await assert.rejects(logs.change({ ring: 0 }), /invalid log ring size: 0/);
  await logs.change({ ring: null });
  assert.throws(() => logs.dumpRing(), /not enabled/);
});

test('a log file is appended to in order; it must be absolute; stderr can be turned off', async () => {
  const { host, stderr, logs } = setup();
  await assert.rejects(logs.change({ file: 'rel.log' }), /log file must be an absolute path: rel.log/);
  await assert.rejects(logs.change({ file: '/var/../proc/sys/kernel/hostname' }), /cannot be under \/proc, \/sys or \/dev/);
  await logs.change({ file: '/var/log/nm.log', stderr: false });
  logs.write(line('info', 'one'));
  logs.write(line('warn', 'two'));
  await logs.flush();
  assert.deepEqual(
    host.files
      .get('/var/log/nm.log')!
      .split('\n')
      .map((l) => l.slice(25)),
    ['info: one', 'warn: two', ''],
  );
  assert.deepEqual(stderr, []);
  await logs.change({ file: null });
  assert.equal(logs.state().file, '');
});

test('a change of the log settings waits for the lines already written to reach their file', async () => {
  /** A disk that takes a while: each append lands 20 ms after it is asked for. */
  class SlowDisk extends FakeHost {
    override async appendFile(path: string, data: string): Promise<void> {
      await new Promise((r) => setTimeout(r, 20));
      return super.appendFile(path, data);
    }
  }
  const host = new SlowDisk();
  const logs = new LogRouter(host);
  await logs.change({ file: '/var/log/nm.log', level: 'debug', stderr: false });
  logs.debug('cli: echo marker');
  await logs.change({ file: null, level: null });
  assert.match(host.files.get('/var/log/nm.log') ?? '', /debug: cli: echo marker\n$/);
});

test("syslog goes through logger(1) with the level's priority; a remote address is checked", async () => {
  const { host, logs } = setup();
  await assert.rejects(logs.change({ syslog: { network: 'udp', address: 'no port' } }), /invalid syslog address/);
  await logs.change({ syslog: { network: 'udp', address: 'logs.lab:514' } });
  logs.write(line('warn', 'disk filling'));
  await new Promise((r) => setImmediate(r));
  const runs = host.calls.filter((c) => c.op === 'run').map((c) => (c as { argv: readonly string[] }).argv.join(' '));
  assert.deepEqual(runs, ['logger -t nanomega -p daemon.warning --server logs.lab --port 514 --udp -- disk filling']);
  assert.equal(logs.state().syslog, 'udp logs.lab:514');
});
