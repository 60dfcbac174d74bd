import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/daemon.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

/** The entry point users run: a symlink to the native client, which runs the TypeScript program for the rest. */
const LAUNCHER = fileURLToPath(new URL('../../../bin/nanomega', import.meta.url));
const NATIVE = fileURLToPath(new URL('../../../shim/build/nanomega-client', import.meta.url));
const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox') || (existsSync(NATIVE) ? false : 'native client not built (make -C shim)');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
const native = (args: string[], input?: string): Run => spawnSync(LAUNCHER, args, { encoding: 'utf8', input, env: { ...process.env, HOME: '/nonexistent' } });
const typescript = (args: string[], input?: string): Run =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env: { ...process.env, HOME: '/nonexistent' } });
const same = (a: Run, b: Run, what: string) =>
  assert.deepEqual({ status: a.status, stdout: a.stdout, stderr: a.stderr }, { status: b.status, stdout: b.stdout, stderr: b.stderr }, what);

describe('native nanomega -e and attach', { skip }, () => {
  const suite = useContainerSuite();

  test('print what the TypeScript program prints, with the same E: lines and exit status', async () => {
    const base = ['--base', suite.d.base];
    const launched = native([...base, '-e', 'vm', 'launch', 'container', 'n[0-2]']);
    assert.equal(launched.status, 0, launched.stderr);
    assert.equal(native([...base, '-e', 'vm tag n0 note "héllo ✓ \\"q\\""']).status, 0);
    for (const line of [
      '.columns name,state,tags vm info',
      '.json true .columns name,state vm info',
      'vm start nosuch',
      'not a command',
      'vm config',
      '.filter name=n1 .columns name vm info',
      '# a comment',
    ]) {
      same(native([...base, '-e', line]), typescript([...base, '-e', line]), line);
    }
    const words = ['-e', '.columns', 'name', 'vm', 'info', '--base', 'x'];
    same(native([...base, ...words]), typescript([...base, ...words]), 'words after -e are the command, --base included');
    assert.match(native([...base, '-e', '.columns name,tags vm info']).stdout, /n0 .*héllo ✓/);
  });

  test('--base after -e COMMAND is text, and after attach an option', async () => {
    const r = native(['attach', '--base', suite.d.base], '.columns name vm info\n');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /n0/);
  });

  test('attach without a terminal prints prompts and E: lines on stdout like the TypeScript prompt', async () => {
    const script = '.columns name,state vm info\nvm start nosuch\n\n   \nbogus\nquit\nvm info\n';
    same(native(['--base', suite.d.base, 'attach'], script), typescript(['--base', suite.d.base, 'attach'], script), 'attach transcript');
  });

  test('no daemon: the same error and exit status 1', async () => {
    for (const args of [
      ['--base', '/nonexistent/nm', '-e', 'vm info'],
      ['--base', '/nonexistent/nm', 'attach'],
    ]) {
      const n = native(args, '');
      same(n, typescript(args, ''), args.join(' '));
      assert.equal(n.status, 1);
      assert.match(n.stderr, /no nanomega daemon at \/nonexistent\/nm\/nanomega.sock \(ENOENT\)/);
    }
  });

  test('answers --help and refuses unknown options', async () => {
    const help = spawnSync(NATIVE, ['attach', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /usage: nanomega attach/);
    // A lone --help after -e is the question, not a command for the daemon (there is none at this base).
    for (const args of [
      ['-e', '--help'],
      ['-e', '-h'],
      ['attach', '--help'],
      ['--base', '/nonexistent/nm', '-e', '--help'],
    ]) {
      const n = native(args);
      same(n, typescript(args), args.join(' '));
      assert.equal(n.status, 0);
    }
    same(
      native(['--base', '/nonexistent/nm', '-e', 'vm', '--help']),
      typescript(['--base', '/nonexistent/nm', '-e', 'vm', '--help']),
      'among other words --help is text',
    );
    const bad = spawnSync(NATIVE, ['attach', '--bogus'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option `--bogus`/);
    const empty = spawnSync(NATIVE, ['-e'], { encoding: 'utf8' });
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /-e needs a command/);
  });

  test("cli.suggest completes from the command table in minimega's shape", async () => {
    assert.deepEqual(await suite.d.client.call('cli.suggest', 'vm in'), ['vm info ']);
    assert.ok((await suite.d.client.call('cli.suggest', 'vm ')).includes('vm launch '));
    assert.deepEqual(await suite.d.client.call('cli.suggest', 'zzz'), []);
  });
});

/**
 * The Debian package installs the native client as /usr/bin/nanomega itself (shim/client/entry.c):
 * it answers -e and attach, and runs bin/nanomega.js for every other subcommand, under the package's
 * own Node runtime when there is one. No daemon needed: these run the real binary in a scratch tree.
 */
describe('the native client as the nanomega program', { skip: existsSync(NATIVE) ? false : 'native client not built (make -C shim)' }, () => {
  const work = mkdtempSync(join(tmpdir(), 'nm-entry-'));
  after(() => rmSync(work, { recursive: true, force: true }));

  /** A program tree: the client at shim/build/ and as ./nanomega, a bin/nanomega.js that reports how it ran. */
  function tree(name: string, opts: { runtime: boolean }): string {
    const root = join(work, name);
    mkdirSync(join(root, 'shim/build'), { recursive: true });
    mkdirSync(join(root, 'bin'));
    copyFileSync(NATIVE, join(root, 'shim/build/nanomega-client'));
    copyFileSync(NATIVE, join(root, 'nanomega')); // copyFile keeps the mode: both are executable
    writeFileSync(
      join(root, 'bin/nanomega.js'),
      'console.log(JSON.stringify({ argv: process.argv.slice(2), runtime: process.env.NM_TEST_RUNTIME ?? "PATH", path0: process.env.PATH.split(":")[0] }));\n',
    );
    if (opts.runtime) {
      mkdirSync(join(root, 'node/bin'), { recursive: true });
      // Stands in for the packaged runtime: marks the environment, then runs this Node.
      writeFileSync(join(root, 'node/bin/node'), `#!/bin/sh\nNM_TEST_RUNTIME=packaged exec ${process.execPath} "$@"\n`, { mode: 0o755 });
    }
    return root;
  }
  const ran = (exe: string, args: string[]) => {
    const r = spawnSync(exe, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { argv: string[]; runtime: string; path0: string };
  };

  test('every subcommand but -e and attach is the TypeScript program, unchanged', () => {
    for (const args of [['--help'], ['serve', '--help'], ['--base', '/nonexistent/nm', 'bogus'], [], ['--freezer', 'v1', '--help']]) {
      same(spawnSync(NATIVE, args, { encoding: 'utf8' }), typescript(args), args.join(' ') || '(no words)');
    }
  });

  test('the package layout: its own runtime, first on PATH, from any path to the client', () => {
    const root = tree('pkg', { runtime: true });
    const want = { argv: ['--base', 'b', 'serve', 'x y'], runtime: 'packaged', path0: join(root, 'node/bin') };
    assert.deepEqual(ran(join(root, 'shim/build/nanomega-client'), want.argv), want);
    assert.deepEqual(ran(join(root, 'nanomega'), want.argv), want, 'a copy at <root>/nanomega');
    symlinkSync(join(root, 'nanomega'), join(work, 'usr-bin-nanomega'));
    assert.deepEqual(ran(join(work, 'usr-bin-nanomega'), want.argv), want, 'through a symlink elsewhere (/usr/bin/nanomega)');
  });

  test('without a runtime of its own, the node on PATH; without bin/nanomega.js, a clear error', () => {
    const root = tree('checkout', { runtime: false });
    const r = ran(join(root, 'nanomega'), ['version']);
    assert.deepEqual(r, { argv: ['version'], runtime: 'PATH', path0: process.env.PATH!.split(':')[0]! });
    unlinkSync(join(root, 'bin/nanomega.js'));
    const missing = spawnSync(join(root, 'nanomega'), ['version'], { encoding: 'utf8' });
    assert.equal(missing.status, 127);
    assert.equal(missing.stderr, `nanomega: no bin/nanomega.js beside \`${join(root, 'nanomega')}\` or two directories above it\n`);
  });

  test('-e and attach stay native, whatever the options before them', () => {
    const root = tree('native', { runtime: true });
    for (const args of [
      ['--base', '/nonexistent/nm', '-e', 'vm info'],
      ['--base=/nonexistent/nm', 'attach'],
    ]) {
      const r = spawnSync(join(root, 'nanomega'), args, { encoding: 'utf8', input: '' });
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(r.stdout, '', 'bin/nanomega.js did not run');
      assert.match(r.stderr, /no nanomega daemon at \/nonexistent\/nm\/nanomega.sock/);
    }
  });

  test("a checkout's bin/nanomega is the client itself, also through a symlink on PATH (npm link)", () => {
    assert.equal(realpathSync(LAUNCHER), realpathSync(NATIVE));
    const linked = join(work, 'npm-link-nanomega');
    symlinkSync(LAUNCHER, linked);
    for (const args of [['--help'], ['serve', '--help'], ['--bogus']]) same(spawnSync(linked, args, { encoding: 'utf8' }), typescript(args), args.join(' '));
    const r = spawnSync(linked, ['--base', '/nonexistent/nm', '-e', 'vm info'], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no nanomega daemon at \/nonexistent\/nm\/nanomega.sock/);
  });
});
