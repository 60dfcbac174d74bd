import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { assertNoLeaks, snapshot, type HostSnapshot } from '../helpers/leaks.js';
import { requires } from '../helpers/requires.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim');

describe('the language through a real daemon', { skip }, () => {
  let d: TestDaemon;
  let pre: HostSnapshot;
  let files: string;

  before(async () => {
    pre = snapshot();
    d = await startDaemon();
    files = join(d.base, 'files');
    mkdirSync(files, { recursive: true });
  });

  after(async () => {
    await d?.dispose();
    await assertNoLeaks(pre);
  });

  /** A line answers with one clear error, within a second, and the daemon keeps serving. */
  async function refused(line: string, error: RegExp): Promise<void> {
    const started = Date.now();
    const r = await d.exec(line);
    assert.ok(Date.now() - started < 1000, `${line.slice(0, 60)} took ${Date.now() - started} ms`);
    assert.equal(r.errors.length, 1, `${line.slice(0, 60)}: ${JSON.stringify(r.errors).slice(0, 200)}`);
    assert.match(r.errors[0]!, error);
    assert.equal(await d.ok('echo alive'), 'alive');
  }

  test("host reports this machine as /proc does, with minimega's columns and the host column", async () => {
    const { cpus, hostname } = await import('node:os');
    const table = (await d.ok('.annotate true host')).split('\n').map((l) => l.split('|').map((c) => c.trim()));
    assert.deepEqual(table[0], [
      'host',
      'cpus',
      'load',
      'memused',
      'memtotal',
      'rx',
      'tx',
      'vms',
      'vmlimit',
      'androidvms',
      'cpucommit',
      'memcommit',
      'netcommit',
      'uptime',
    ]);
    assert.equal(table[1]![0], hostname());
    assert.equal(table[1]![1], String(cpus().length));
    const totalKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    assert.equal(await d.ok('host memtotal'), String(Math.trunc(totalKb / 1024)));
    assert.match(await d.ok('host load'), /^\d+\.\d\d \d+\.\d\d \d+\.\d\d$/);
    assert.match(await d.ok('host uptime'), /^(\d+h)?(\d+m)?\d+(\.\d+)?s$/);
    assert.equal(await d.ok('host vms'), String((await d.client.call('vm.info')).length));
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(await d.ok('version'), `nanomega ${pkg.version}`);
  });

  test('log level debug records each command in the ring and the log file; clear log resets', async () => {
    const file = join(d.base, 'nm-test.log');
    for (const line of ['log level debug', 'log ring 50', `log file ${file}`, 'echo marker-7f3a']) await d.ok(line);
    assert.match(await d.ok('log ring'), /debug: cli: echo marker-7f3a$/m);
    assert.equal(await d.ok('log level'), 'debug');
    assert.equal(await d.ok('log file'), file);
    await d.ok('clear log');
    assert.match(readFileSync(file, 'utf8'), /debug: cli: echo marker-7f3a\n/);
    assert.deepEqual((await d.exec('log ring')).errors, ['cannot dump log ring, not enabled']);
    assert.equal(await d.ok('log level'), 'info');
    await d.ok('log stderr true');
  });

  test('bad input is a clear error within a second and the daemon is unharmed', async () => {
    await refused('vm frobnicate', /^invalid command: `vm frobnicate`$/);
    await refused('vm s foo', /^invalid command/);
    await refused('.c true vm info', /^invalid command/);
    await refused('read /nonexistent/script', /^open \/nonexistent\/script: no such file or directory$/);
    writeFileSync(join(files, 'self'), 'echo once\nread self\n');
    await refused('read self', /^self:2 cannot run nested `read` commands$/);
    await d.ok('.alias again=again and again');
    await refused('again', /^invalid command: `again and again`$/);
    await refused(`vm config hostname ${'x'.repeat(1 << 20)}`, /longer than 4096 characters/);
    await refused(`echo ${'a "b" '.repeat(200_000)}#`.slice(0, 1 << 20) + '"', /^missing terminal "$/);
    await refused(`${'.csv true '.repeat(100_000)}vm info`, /^too many nested commands/);
    await refused('vm launch container a[0-999999]', /^too many names/);
    await refused('vm kill a[0-999999],b[0-999999]', /^too many names/);
    await refused('vm tag x[0-999999] k v', /^too many names/);
    assert.equal((await d.client.call('vm.info')).length, 0, 'nothing was launched');
  });

  test('read runs a script from the files directory; write saves the history there', async () => {
    writeFileSync(join(files, 'setup'), 'vm config memory 300\n# configure\nvm config memory\n');
    await d.ok('clear history');
    const r = await d.exec('read setup');
    assert.deepEqual(r.chunks, [
      { output: '', errors: [] },
      { output: '300', errors: [] },
    ]);
    await d.ok('write replay');
    // `clear history` and `read` are not recorded; the script's lines are.
    assert.equal(readFileSync(join(files, 'replay'), 'utf8'), 'vm config memory 300\n# configure\nvm config memory');
    await d.ok('clear vm config');
  });

  test('shell passes each argument as written and background runs in the background', async () => {
    assert.equal(await d.ok('shell printf "<%s>" "a b" \'c | d\''), '<a b><c | d>');
    const started = await d.ok('background sleep 0.2');
    const id = /^Started background process with id (\d+)$/.exec(started)![1];
    assert.match(await d.ok(`.columns ID,RUNNING,COMMAND background-status ${id}`), /\| true +\| .*sleep 0.2$/m);
    for (let i = 0; i < 50 && /true/.test(await d.ok(`.columns RUNNING background-status ${id}`)); i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.match(await d.ok(`.columns RUNNING,ERROR background-status ${id}`), /^false +\|$/m);
    assert.equal(await d.ok(`background-output ${id}`), '');
  });

  test('history, aliases and output flags are shared by every client of the daemon', async () => {
    const { EngineClient } = await import('../../cli/engine-client.js');
    const other = await EngineClient.connect(d.base);
    try {
      await d.ok('.alias hi=echo hello');
      assert.deepEqual(await other.call('cli.exec', 'hi there'), { output: 'hello there', errors: [] });
      await other.call('cli.exec', '.headers false');
      assert.equal(await d.ok('.columns name vm info'), '');
      await d.ok('.headers true');
      assert.deepEqual(await other.call('cli.suggest', 'vm inf'), ['vm info ']);
    } finally {
      other.close();
    }
  });
});
