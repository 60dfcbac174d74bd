// `file list|get|delete` on a real files directory in /tmp: minimega's listing rules, Go's globs, `..`
// cleaned away, and symlinks that lead outside never followed for listing or removal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineError } from '../../../../engine/errors.js';
import { FilesDir } from '../../../../engine/files/files.js';
import { LinuxHost } from '../../../../engine/host/linux-host.js';

let root: string;
let base: string;
let outside: string;
let files: FilesDir;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'nm-files-'));
  base = join(root, 'files');
  outside = join(root, 'secret');
  mkdirSync(outside);
  writeFileSync(join(outside, 'passwd'), 'root:x:0:0\n');
  for (const d of ['minitest/foo1', 'minitest/foo2', 'minitest/foo3']) mkdirSync(join(base, d), { recursive: true });
  for (const f of ['foo1/a.txt', 'foo1/a.txt2', 'foo2/a.txt', 'foo2/b.txt', 'foo3/a.txt', 'foo3/b.txt', 'foo3/c.txt'])
    writeFileSync(join(base, 'minitest', f), '');
  writeFileSync(join(base, 'minitest/foo1/a.txt'), 'hello');
  symlinkSync(outside, join(base, 'escape'));
  symlinkSync(join(base, 'minitest/foo1'), join(base, 'inlink'));
  files = new FilesDir(new LinuxHost(), base);
});

after(() => rmSync(root, { recursive: true, force: true }));

const names = async (path: string, recursive = false) => (await files.list(path, recursive)).map((f) => `${f.dir ? 'd ' : ''}${f.name} ${f.size}`);

test('a directory lists its entries, a file itself; recursive lists every file below', async () => {
  assert.deepEqual(
    (await files.list('/minitest')).map((f) => [f.dir, f.name]),
    [
      [true, 'minitest/foo1'],
      [true, 'minitest/foo2'],
      [true, 'minitest/foo3'],
    ],
  );
  assert.deepEqual(await names('/minitest/foo1/a.txt'), ['minitest/foo1/a.txt 5']);
  assert.deepEqual((await names('/minitest', true)).length, 7);
  const e = (await files.list('/minitest/foo1/a.txt'))[0]!;
  assert.ok(e.modified > Date.now() - 600_000 && e.modified <= Date.now() + 1000, "modified is the file's mtime");
  assert.deepEqual(await names('/nothing-here'), []);
});

test("globs as minimega's file_glob test: per element, matches sorted", async () => {
  assert.deepEqual(await names('/minitest/*/a.txt'), ['minitest/foo1/a.txt 5', 'minitest/foo2/a.txt 0', 'minitest/foo3/a.txt 0']);
  assert.deepEqual(await names('/minitest/foo1/a.*'), ['minitest/foo1/a.txt 5', 'minitest/foo1/a.txt2 0']);
  assert.deepEqual(await names('/minitest/foo[23]/b.txt'), ['minitest/foo2/b.txt 0', 'minitest/foo3/b.txt 0']);
  assert.deepEqual((await names('/minitest/foo*')).length, 7);
  await assert.rejects(
    files.list('/minitest/foo[/x'),
    (e: unknown) => e instanceof EngineError && e.message === 'list /minitest/foo[/x: syntax error in pattern',
  );
});

test('.. cannot leave the files directory; a symlink out is refused by name and skipped by globs', async () => {
  assert.deepEqual(await names('../secret'), [], '../secret is <files>/secret, which does not exist');
  await assert.rejects(
    files.list('/escape'),
    (e: unknown) => e instanceof EngineError && e.code === 'E_PERM' && /list \/escape: leads outside the files directory/.test(e.message),
  );
  await assert.rejects(files.list('/escape/passwd'), /leads outside/);
  assert.deepEqual(await names('/esc*'), [], 'a glob skips it');
  assert.ok(
    (await names('/')).some((n) => n.startsWith('escape ')),
    'the link itself is listed as an entry (not followed)',
  );
  assert.deepEqual(await names('/inlink/a.txt'), ['inlink/a.txt 5'], 'a symlink inside is followed');
  await assert.rejects(files.delete('/escape/passwd'), /delete \/escape\/passwd: leads outside/);
  assert.ok(existsSync(join(outside, 'passwd')));
  await files.delete('/escape');
  assert.ok(!existsSync(join(base, 'escape')) && existsSync(join(outside, 'passwd')), 'the link goes, never what it points to');
});

test("get: found is nothing to do on one host; missing is minimega's error; delete removes globs and directories", async () => {
  await files.get('/minitest/foo1/a.txt');
  await assert.rejects(files.get('/minitest/none'), { message: 'get /minitest/none: file not found' });
  await files.delete('/minitest/*/c.txt');
  assert.deepEqual(await names('/minitest/foo3'), ['minitest/foo3/a.txt 0', 'minitest/foo3/b.txt 0']);
  await files.delete('/minitest/foo2');
  assert.ok(!existsSync(join(base, 'minitest/foo2')));
  await files.delete('/');
  assert.ok(existsSync(base), 'the files directory itself stays');
  assert.deepEqual(await names('/'), []);
});

test('read (file stream): parts of a regular file from an offset; globs, directories, FIFOs and symlinks out refused', async () => {
  mkdirSync(join(base, 'stream'));
  writeFileSync(join(base, 'stream/data.txt'), 'hello');
  writeFileSync(join(base, 'stream/empty'), '');
  symlinkSync(join(base, 'stream'), join(base, 'streamlink'));
  symlinkSync(outside, join(base, 'stream/out'));
  const part = await files.read('/stream/data.txt', 0, 3);
  assert.deepEqual({ ...part, data: Buffer.from(part.data, 'base64').toString() }, { data: 'hel', offset: 0, size: 5, eof: false });
  const rest = await files.read('stream/../stream/data.txt', 3, 100);
  assert.deepEqual({ ...rest, data: Buffer.from(rest.data, 'base64').toString() }, { data: 'lo', offset: 3, size: 5, eof: true });
  assert.equal((await files.read('/streamlink/data.txt', 0, 10)).size, 5, 'a symlink that stays inside is read');
  assert.deepEqual(await files.read('/stream/empty', 0, 10), { data: '', offset: 0, size: 0, eof: true });
  const code = async (path: string, offset = 0, length = 10) =>
    files.read(path, offset, length).then(
      () => 'read',
      (e: EngineError) => `${e.code}: ${e.message}`,
    );
  assert.equal(await code('/stream/*.txt'), 'E_CONFIG: cannot stream a glob');
  assert.equal(await code('/stream'), 'E_CONFIG: stream /stream: not a regular file');
  assert.equal(await code('/nope'), 'E_NOT_FOUND: stream /nope: file not found');
  assert.match(await code('/stream/out/passwd'), /^E_PERM: stream \/stream\/out\/passwd: leads outside/);
  assert.match(await code('/stream/data.txt', -1), /^E_CONFIG: invalid offset: -1/);
  assert.match(await code('/stream/data.txt', 0, 0), /^E_CONFIG: invalid length: 0/);
  const fifo = join(base, 'fifo');
  execFileSync('mkfifo', [fifo]);
  assert.equal(await code('/fifo'), 'E_CONFIG: stream /fifo: not a regular file', 'never opened: a FIFO would block');
  rmSync(fifo);
});
