// minimega's `log` verbs: which change each line asks the daemon for, and what the getters print.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeEngine, session } from './fake.js';

test('log setters send one change each; clear log resets everything or one setting', async () => {
  const e = new FakeEngine();
  const { s } = session(e);
  for (const line of [
    'log level debug',
    'log stderr false',
    'log file /var/log/nm.log',
    'log ring 100',
    'log filter noisy',
    'log syslog remote udp logs.lab:514',
    'log syslog local',
    'clear log ring',
    'clear log',
  ]) {
    assert.deepEqual((await s.exec(line)).errors, [], line);
  }
  assert.deepEqual(
    e.calls.filter((c) => c.name === 'log.config').map((c) => c.args[0]),
    [
      { level: 'debug' },
      { stderr: false },
      { file: '/var/log/nm.log' },
      { ring: 100 },
      { filter: 'noisy' },
      { syslog: { network: 'udp', address: 'logs.lab:514' } },
      { syslog: { network: 'local' } },
      { ring: null },
      { file: null, syslog: null, level: null, stderr: false, ring: null, clearFilters: true },
    ],
  );
  assert.deepEqual((await s.exec('log ring lots')).errors, ['strconv.Atoi: parsing "lots": invalid syntax']);
  assert.deepEqual((await s.exec('log mesh n2')).errors, ['node n2 not in mesh']);
});

test('log getters print as minimega does', async () => {
  const e = new FakeEngine();
  e.answers.set('log.config', { level: 'warn', stderr: true, file: '', ring: 10, filters: ['a', 'b'], syslog: '' });
  e.answers.set('log.ring', ['2026-11-30T12:00:00.000Z info: one\n', '2026-11-30T12:00:01.000Z warn: two\n']);
  const { s } = session(e);
  await s.exec('.annotate false');
  assert.equal((await s.exec('log level')).output, 'warn');
  assert.equal((await s.exec('log stderr')).output, 'true');
  assert.equal((await s.exec('log filter')).output, '[a b]');
  assert.equal((await s.exec('log mesh')).output, 'mesh logging disabled');
  assert.equal((await s.exec('log ring')).output, '2026-11-30T12:00:00.000Z info: one\n2026-11-30T12:00:01.000Z warn: two');
});
