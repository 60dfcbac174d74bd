import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { benchArgs } from '../../../bench/args.js';

const BENCHES = ['cc', 'cli', 'cluster', 'launch', 'launch-scale', 'soak'];

/** Runs a bench to its exit: every case here exits before the bench sets anything up. */
function run(bench: string, args: string[]) {
  const file = fileURLToPath(new URL(`../../../bench/${bench}.js`, import.meta.url));
  return spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });
}

describe('bench command lines', () => {
  test('values and flags given, defaults for the rest', () => {
    const a = benchArgs('x', { '--runs': '3', '--dir': '/dev/shm' }, ['--net'], ['--runs', '5', '--net']);
    assert.equal(a.number('--runs'), 5);
    assert.equal(a.text('--dir'), '/dev/shm');
    assert.equal(a.flag('--net'), true);
    assert.equal(benchArgs('x', {}, ['--net'], []).flag('--net'), false);
  });

  test('a number below its least is refused by name', () => {
    const r = run('launch-scale', ['--big-runs', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^--big-runs: not a number of at least 1: 0\nusage: /);
  });

  test('each bench answers --help with its usage before setting anything up', () => {
    for (const b of BENCHES) {
      const r = run(b, ['--help']);
      assert.equal(r.status, 0, `${b}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: node (--expose-gc )?dist/bench/${b}\\.js`), b);
    }
  });

  test('each refuses an unknown option, a missing value and a bad number, naming them', () => {
    const cases = [
      ['--no-such-option', /^unknown option --no-such-option\nusage: /],
      ['--runs', /^--runs needs a value\n/],
      ['--runs x', /^--runs: not a number of at least 0: x\n/],
    ] as const;
    for (const b of BENCHES.filter((n) => n !== 'soak')) {
      for (const [args, want] of cases) {
        const r = run(b, args.split(' '));
        assert.equal(r.status, 2, `${b} ${args}`);
        assert.match(r.stderr, want, `${b} ${args}`);
      }
    }
  });
});
