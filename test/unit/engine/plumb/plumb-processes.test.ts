// The plumber with real host programs (sed, cat, tr): lines through a program between two pipes, a via,
// a program that exits ending its pipeline, and every program gone after clear.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { linuxPlumbPort } from '../../../../engine/host/plumb-processes.js';
import { Plumber } from '../../../../engine/plumb/plumber.js';

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Pids of programs whose parent is this process and whose command is `name`. */
function children(name: string): string[] {
  const r = spawnSync('pgrep', ['-P', String(process.pid), '-x', name], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

test('a message goes through sed between two pipes; via runs tr per reader; exit and clear end it all', async () => {
  const logs: string[] = [];
  const p = new Plumber(linuxPlumbPort(), (l, m) => logs.push(`${l}: ${m}`));
  await p.plumb('minimega', ['in', 'sed -u s/foo/moo/', 'out']);
  await p.plumb('minimega', ['out', 'sink']);
  p.set('minimega//out', { via: ['tr', 'a-z', 'A-Z'] });
  await p.write('minimega//in', 'foo bar');
  const sink = () => p.pipesOf('minimega').find((x) => x.name === 'minimega//sink');
  await until('the line through sed and the via', () => sink()?.count === 1);
  assert.equal(sink()!.previous, 'MOO BAR');
  assert.equal(children('sed').length, 1);

  // A program that ends (head -n1 after one line) closes its pipeline and is reported.
  await p.plumb('minimega', ['once', 'head -n1', 'after']);
  await p.write('minimega//once', 'first');
  await until('head to exit', () => !p.pipelinesOf('minimega').some((x) => x.includes('head')));
  assert.match(logs.join('\n'), /head ended \(exit status 0\); pipeline closed/);

  await p.clearPlumb('minimega');
  await until('sed to be killed', () => children('sed').length === 0);
  assert.deepEqual(p.pipelinesOf('minimega'), []);
});

test("an element that is not a program in $PATH is a pipe; a missing program in a via is Go's error", async () => {
  const logs: string[] = [];
  const p = new Plumber(linuxPlumbPort(), (l, m) => logs.push(m));
  assert.equal(await p.plumb('minimega', ['a', 'no-such-program-here']), 'minimega//a minimega//no-such-program-here');
  p.set('minimega//a', { via: ['no-such-program-here'] });
  await p.write('minimega//a', 'x');
  assert.match(logs.join('\n'), /exec: "no-such-program-here": executable file not found in \$PATH/);
  p.close();
});
