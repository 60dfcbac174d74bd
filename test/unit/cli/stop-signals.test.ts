import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

/**
 * Runs `body` in a Node process of its own with `stopSignals` imported (the test runner here has
 * SIGINT and SIGTERM handlers of its own, so signals are sent in a child). It exits 3 if nothing
 * ended it within 10 s.
 */
function child(body: string) {
  const module = new URL('../../../cli/stop-signals.js', import.meta.url).href;
  const script = `const { stopSignals } = await import(${JSON.stringify(module)}); ${body}; setTimeout(() => process.exit(3), 10000);`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

const STOP = `() => { console.log('stopped'); process.exit(0); }`;
const KEPT = 'nanomega: SIGTERM: stopping once started (again to stop now)\n';

describe('stop signals', () => {
  test('a signal during start-up is kept and stops the program once it is ready', () => {
    // The listener added after stopSignals' runs after it: the program becomes ready after the signal.
    const r = child(`const ready = stopSignals(); process.once('SIGTERM', () => ready(${STOP})); process.kill(process.pid, 'SIGTERM')`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'stopped\n');
    assert.equal(r.stderr, KEPT);
  });

  test('a signal after start-up stops it at once', () => {
    const r = child(`const ready = stopSignals(); ready(${STOP}); process.kill(process.pid, 'SIGINT')`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'stopped\n');
    assert.equal(r.stderr, '');
  });

  test('a second signal during start-up ends the program there and then, as SIGTERM would', () => {
    const r = child(`stopSignals(); process.once('SIGTERM', () => process.kill(process.pid, 'SIGTERM')); process.kill(process.pid, 'SIGTERM')`);
    assert.equal(r.status, 143, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, KEPT);
  });
});
