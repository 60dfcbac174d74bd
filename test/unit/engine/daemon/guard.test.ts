// The daemon's last resort (review M4): an unhandled rejection is logged and the process keeps
// running. Each case runs in its own node process, since the guard is process-wide.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const GUARD = fileURLToPath(new URL('../../../../engine/daemon/guard.js', import.meta.url));

function run(withGuard: boolean): { status: number | null; stdout: string; stderr: string } {
  const script = [
    `const { installRejectionGuard } = await import(${JSON.stringify(GUARD)});`,
    withGuard ? 'installRejectionGuard();' : '',
    "Promise.reject(new Error('write /run/nanomega/1/state.json: ENOSPC'));",
    "setTimeout(() => console.log('still serving'), 50);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('without the guard an unhandled rejection ends the process (what the daemon did)', () => {
  const r = run(false);
  assert.notEqual(r.status, 0);
  assert.doesNotMatch(r.stdout, /still serving/);
});

test('with the guard it is logged with its reason and the process keeps running', () => {
  const r = run(true);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /still serving/);
  assert.match(r.stderr, /unhandled rejection \(kept serving\): Error: write \/run\/nanomega\/1\/state\.json: ENOSPC/);
});
