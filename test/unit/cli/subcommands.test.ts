import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { BIN } from '../../helpers/daemon.js';

/** Every subcommand `nanomega --help` lists (cli/main.ts). */
const NAMES = ['serve', 'web', '-e', 'attach', 'console', 'exec', 'test', 'rootfs', 'image', 'nuke', 'cluster', 'doctor', 'start', '-cli'];

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, '--base', '/nonexistent/nm-help', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('nanomega subcommands', () => {
  test('each answers --help with its usage and does nothing else', async () => {
    const all = await Promise.all(NAMES.filter((n) => n !== '-e').map(async (n) => [n, await run([n, '--help'])] as const));
    for (const [n, r] of all) {
      assert.equal(r.status, 0, `${n}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: nanomega ${n}`), n);
      assert.equal(r.stderr, '', n);
    }
  });

  test('each refuses an unknown option, naming it, with exit status 2', async () => {
    const all = await Promise.all(NAMES.filter((n) => n !== '-e').map(async (n) => [n, await run([n, '--no-such-option'])] as const));
    for (const [n, r] of all) {
      assert.equal(r.status, 2, n);
      assert.equal(r.stderr, `nanomega: ${n}: unknown option \`--no-such-option\` (see nanomega ${n} --help)\n`, n);
    }
  });

  test('after -e every word is the command, options included', async () => {
    const r = await run(['-e', 'vm', 'info', '--no-such-option']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no nanomega daemon at \/nonexistent\/nm-help\/nanomega.sock/);
  });

  test('-cli prints the whole command table, well past what a pipe takes at once, and needs no daemon', async () => {
    const r = await run(['-cli']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.length > 65536, `${r.stdout.length} bytes`);
    const doc = JSON.parse(r.stdout) as { patterns: string[] }[];
    assert.ok(doc.some((h) => h.patterns.includes('vm launch <container,> <name or count> [config]')));
    assert.equal((await run(['-cli', 'extra'])).stderr, 'nanomega: -cli: unexpected argument `extra`\n');
  });

  test('nanomega --help lists every subcommand; an unknown one is refused', async () => {
    const help = await run(['--help']);
    assert.equal(help.status, 0);
    for (const n of NAMES) assert.match(help.stdout, new RegExp(`^  ${n.replace('-', '\\-')}\\b`, 'm'), n);
    const bad = await run(['frobnicate']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown command `frobnicate`/);
  });
});
