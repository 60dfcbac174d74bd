import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const LIST = join(ROOT, 'scripts/debian-packages');

/** Package names of the list, per section. */
function sections(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let s = '';
  for (const line of readFileSync(LIST, 'utf8').split('\n')) {
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) s = head[1]!;
    else if (line.trim() && !line.startsWith('#')) (out[s] ??= []).push(line.trim());
  }
  return out;
}

test('every package of scripts/debian-packages is a real Debian package name, listed once', () => {
  const all = Object.values(sections()).flat();
  assert.deepEqual(Object.keys(sections()).sort(), ['build', 'run', 'test']);
  assert.equal(new Set(all).size, all.length, 'no duplicates');
  for (const p of all) assert.match(p, /^[a-z0-9][a-z0-9+.-]+$/, p);
  if (spawnSync('apt-cache', ['--version']).status === 0) {
    const r = spawnSync('apt-cache', ['show', '--no-all-versions', ...all], { encoding: 'utf8' });
    const known = new Set([...r.stdout.matchAll(/^Package: (\S+)$/gm)].map((m) => m[1]));
    assert.deepEqual(all.filter((p) => !known.has(p)), [], 'unknown to apt');
  }
});

test('CI and `npm test`/`npm start` install from that one list', () => {
  assert.match(readFileSync(join(ROOT, '.ci/run'), 'utf8'), /^bash scripts\/setup\.sh test$/m);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.test!, /^bash scripts\/setup\.sh test && /);
  assert.match(pkg.scripts.start!, /^bash scripts\/setup\.sh run && /);
});

test('a missing package, as a user who cannot install it: one line with the package and the apt-get command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nm-setup-'));
  try {
    const list = join(dir, 'packages');
    writeFileSync(list, '[build]\ncoreutils\n[run]\nnanomega-no-such-package\n[test]\nanother-missing-one\n', { mode: 0o644 });
    chmodSync(dir, 0o755); // nobody reads the list
    const env = { ...process.env, NANOMEGA_DEBIAN_PACKAGES: list, NANOMEGA_SETUP_PACKAGES_ONLY: '1' };
    // As nobody (setpriv), so the script cannot install and must say what to do.
    const asNobody = (section: string) =>
      process.getuid?.() === 0
        ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', join(ROOT, 'scripts/setup.sh'), section], { encoding: 'utf8', env, cwd: ROOT })
        : spawnSync('bash', [join(ROOT, 'scripts/setup.sh'), section], { encoding: 'utf8', env, cwd: ROOT });
    const run = asNobody('run');
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /missing Debian packages: nanomega-no-such-package — sudo apt-get install nanomega-no-such-package \(or run this as root: sudo npm start\)/);
    const t = asNobody('test');
    assert.match(t.stderr, /missing Debian packages: nanomega-no-such-package another-missing-one — sudo apt-get install nanomega-no-such-package another-missing-one \(or run this as root: sudo npm test\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
