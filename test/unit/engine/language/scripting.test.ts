import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeEngine, session, vm } from './fake.js';
import { EXTERNAL_PROGRAMS } from '../../../../engine/language/commands/check.js';

async function quiet() {
  const t = session();
  await t.s.exec('.annotate false');
  await t.s.exec('clear history');
  return t;
}

test('dot-commands match by unique prefix: .col is .columns, .c is ambiguous', async () => {
  const e = new FakeEngine();
  e.vms = [vm(0, 'a')];
  const { s } = session(e);
  await s.exec('.annot false');
  assert.equal((await s.exec('.col name vm info')).output, 'name\na');
  assert.equal((await s.exec('.column name vm in')).output, 'name\na');
  assert.equal((await s.exec('.c name vm info')).output, 'name\na', 'of .csv .columns .compress only .columns takes a name');
  assert.deepEqual((await s.exec('.c true vm info')).errors, ['invalid command: `.c true vm info`']);
});

test('history records valid commands and comments, not invalid ones; .record and clear history as minimega', async () => {
  const { s } = await quiet();
  await s.exec('.record false echo hello, nobody');
  await s.exec('.record true echo hello, world');
  await s.exec('.record false');
  await s.exec('echo hello, off the record');
  await s.exec('.record true');
  await s.exec('echo hello again, world');
  await s.exec('# a comment');
  await s.exec('no such command');
  assert.equal((await s.exec('history')).output, '.record true echo hello, world\necho hello again, world\n# a comment');
  await s.exec('clear history');
  assert.equal((await s.exec('history')).output, '');
  assert.equal((await s.exec('history')).output, 'history', 'history itself is recorded after it runs');
});

test('history is shared by every session of a daemon and keeps the newest 10 000 lines', async () => {
  const { s, lang } = await quiet();
  const other = lang.session();
  await other.exec('echo from another client');
  assert.equal((await s.exec('history')).output, 'echo from another client');
  for (let i = 0; i < 10_005; i++) lang.state.record(`echo ${i}`);
  assert.equal(lang.state.history.length, 10_000);
  assert.equal(lang.state.history[0], 'echo 5');
});

test('.alias expands the first word once, lists aliases, and .unalias removes them', async () => {
  const e = new FakeEngine();
  e.vms = [vm(0, 'foo1'), vm(1, 'foo2', { state: 'RUNNING' })];
  const { s } = session(e);
  await s.exec('.annotate false');
  await s.exec('.alias vmr=.column name .filter state=running vm info');
  assert.equal((await s.exec('.alias')).output, 'alias | expansion\nvmr   | .column name .filter state=running vm info');
  assert.equal((await s.exec('vmr')).output, 'name\nfoo2');
  assert.deepEqual((await s.exec('.alias nonsense')).errors, ['expected alias of format `alias=expansion`']);
  await s.exec('.unalias vmr');
  assert.equal((await s.exec('.alias')).output, '');
  assert.deepEqual((await s.exec('vmr')).errors, ['invalid command: `vmr`']);
});

test('an alias that expands to itself expands once: a clear error, no loop', async () => {
  const { s } = await quiet();
  await s.exec('.alias loop=loop again');
  const started = Date.now();
  assert.deepEqual((await s.exec('loop')).errors, ['invalid command: `loop again`']);
  assert.ok(Date.now() - started < 1000);
  await s.exec('.alias hi=echo hi');
  assert.equal((await s.exec('hi there')).output, 'hi there');
});

test('echo joins its words after quotes and comments are processed', async () => {
  const { s } = await quiet();
  assert.equal((await s.exec('echo "a  b"   c # d')).output, 'a  b c');
  assert.equal((await s.exec('echo')).output, '');
});

test('.env prints, sets and unsets variables that $VAR expands from; unset ones stay as written', async () => {
  const { s } = await quiet();
  assert.equal((await s.exec('.env images')).output, '/srv/images');
  await s.exec('.env color red');
  assert.equal((await s.exec('echo $color ${color}s $nope')).output, 'red reds $nope');
  await s.exec('.env color ""');
  assert.equal((await s.exec('.env color')).output, '');
  assert.match((await s.exec('.env')).output, /^key +\| value\n(.*\n)*images +\| \/srv\/images/);
});

test('.preprocess: file: names the files directory, http(s) paths too; off, arguments pass as written', async () => {
  const { s, host } = await quiet();
  host.files.set('/base/files/minicccfs.tar', 'x');
  host.dirs.add('/base/files/minicccfs');
  assert.equal((await s.exec('echo file:minicccfs')).output, '/base/files/minicccfs');
  assert.deepEqual((await s.exec('echo file:missing')).errors, ['get missing: file not found']);
  assert.deepEqual((await s.exec('echo http://localhost/')).errors, ['get /: file not found']);
  assert.equal((await s.exec('echo https://example.com/minicccfs.tar')).output, '/base/files/minicccfs.tar');
  assert.deepEqual((await s.exec('echo file:../../etc/passwd')).errors, ['get ../../etc/passwd: file not found']);
  await s.exec('.preprocess false');
  assert.equal((await s.exec('.preprocess')).output, 'false');
  assert.equal((await s.exec('echo http://localhost/ $images')).output, 'http://localhost/ $images');
  await s.exec('.preprocess true');
  assert.equal((await s.exec('.preprocess false echo file:x')).output, 'file:x');
  assert.equal((await s.exec('echo $images')).output, '/srv/images');
});

test("shell runs argv with no shell in between: quotes survive, errors are minimega's", async () => {
  const { s, host } = await quiet();
  assert.deepEqual(await s.exec('shell echo "a | b" c'), { output: 'a | b c', errors: [] });
  assert.deepEqual(host.calls.find((c) => c.op === 'run')!.args[0], ['/bin/echo', 'a | b', 'c']);
  assert.deepEqual(await s.exec('shell false'), { output: '', errors: ['exit status 1'] });
  assert.deepEqual(await s.exec('shell definitelynotarealcommand'), {
    output: '',
    errors: ['exec: "definitelynotarealcommand": executable file not found in $PATH'],
  });
  assert.deepEqual((await s.exec('shell warn')).errors, ['careful\n'], 'stderr is the error; stdout is then not shown');
});

test('background starts the program, answers its id, and the status verbs follow it', async () => {
  const { s, host } = await quiet();
  assert.equal((await s.exec('background echo hello world')).output, 'Started background process with id 1');
  assert.deepEqual((await s.exec('background-output 1')).errors, ['wait for process to finish before reading output']);
  assert.match(
    (await s.exec('background-status')).output,
    /^ID +\| PID +\| RUNNING +\| ERROR +\| TIME_START +\| TIME_END +\| COMMAND\n1 +\| 100 +\| true +\| +\| \w{3} \d\d [\d:]{8} UTC \| Jan 01 00:00:00 UTC \| \/bin\/echo hello world$/,
  );
  host.finish();
  assert.equal((await s.exec('background-output 1')).output, 'hello world');
  assert.equal((await s.exec('background-error 1')).output, '');
  assert.match((await s.exec('background-status 1')).output, /\| false +\|/);
  assert.deepEqual((await s.exec('background-status 9')).errors, ['provided id does not exist in background process table']);
  assert.deepEqual((await s.exec('background-status x')).errors, ['strconv.ParseInt: parsing "x": invalid syntax']);
  assert.deepEqual((await s.exec('background nope')).errors, ['exec: "nope": executable file not found in $PATH']);
  assert.equal((await s.exec('clear background-status')).output, 'Cleared 1 elements from background-status');
});

test('read runs each line through the session, in order, and stops at an invalid command', async () => {
  const { s, host } = await quiet();
  host.files.set('/base/files/script.mm', 'echo one\n\n# a comment\nvm config memory 512\nvm config memory\nbogus line\necho never\n');
  const r = await s.exec('read script.mm');
  assert.deepEqual(r.chunks, [
    { output: 'one', errors: [] },
    { output: '', errors: [] },
    { output: '512', errors: [] },
    { output: '', errors: ['script.mm:6 invalid command: `bogus line`'] },
  ]);
  assert.equal(r.output, 'one\n512');
  assert.equal((await s.exec('history')).output, 'echo one\n# a comment\nvm config memory 512\nvm config memory', 'read itself is not recorded');
});

test('read check only checks syntax; a missing file, nesting and reading itself are clear errors', async () => {
  const { s, host } = await quiet();
  host.files.set('/base/files/check.mm', 'vm config memory 64\nnope\n');
  assert.deepEqual((await s.exec('read check.mm check')).errors, ['check.mm:2 invalid command: `nope`']);
  assert.equal((await s.exec('vm config memory')).output, '2048', 'check ran nothing');
  assert.deepEqual((await s.exec('read /no/such/file')).errors, ['open /no/such/file: no such file or directory']);
  host.files.set('/base/files/self.mm', 'echo before\nread self.mm\necho after\n');
  const started = Date.now();
  const r = await s.exec('read self.mm');
  assert.deepEqual(r.errors, ['self.mm:2 cannot run nested `read` commands']);
  assert.equal(r.output, 'before');
  assert.ok(Date.now() - started < 1000);
  host.files.set('/base/files/nested.mm', '.csv true read self.mm\n');
  assert.deepEqual((await s.exec('read nested.mm')).errors, ['nested.mm:1 cannot run nested `read` commands']);
});

test('clear all kills dnsmasq, destroys every namespace, removes tap mirrors, deletes host taps, resets vm config and saved configs, and clears history last', async () => {
  const e = new FakeEngine();
  const { s, deps } = session(e);
  await s.exec('vm config memory 64');
  await s.exec('vm config save x');
  await s.exec('echo something');
  await s.exec('clear all');
  assert.deepEqual(
    e.calls.map((c) => [c.name, ...c.args]),
    [
      ['dnsmasq.kill', 'all'],
      ['ns.destroy', 'all'],
      ['net.vlans.clear', 'all'],
      ['tap.mirror.clear', {}],
      ['tap.delete', 'all'],
      ['plumb.clear'],
      ['pipe.clear'],
    ],
  );
  assert.equal(deps.config.current.memory, 2048);
  assert.deepEqual(deps.config.savedNames(), []);
  assert.equal((await s.exec('.annotate false history')).output, 'clear all');
  assert.deepEqual(await s.exec('clear plumb'), { output: '', errors: [] });
  assert.deepEqual(await s.exec('clear pipe'), { output: '', errors: [] });
});

test("check: silent when every program the daemon runs is in its PATH, else minimega's LookPath error for each missing one", async () => {
  const { s, host } = session();
  const ok = (p: string) => host.programs.set(`/usr/bin/${p}`, () => ({ code: 0, stdout: '', stderr: '' }));
  for (const p of EXTERNAL_PROGRAMS) ok(p);
  assert.deepEqual(await s.exec('.annotate false check'), { output: '', errors: [] });
  host.programs.delete('/usr/bin/tcpdump');
  host.programs.delete('/usr/bin/dnsmasq');
  assert.deepEqual((await s.exec('check')).errors, [
    'exec: "dnsmasq": executable file not found in $PATH\nexec: "tcpdump": executable file not found in $PATH',
  ]);
});
