// Console scripting on busybox containers: expect waits for the prompt, send types a command, screen
// shows its output as a terminal draws it; keystrokes typed through an API console are recorded
// with their timing and played back on 20 containers at once.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EngineClient } from '../../cli/engine-client.js';
import { requires } from '../helpers/requires.js';
import { useContainerSuite } from '../helpers/suite.js';

const skip = requires('root', 'cgroup2', 'overlay', 'shim', 'busybox');
const N = 20;
/** The busybox root's shell prompt (engine/rootfs/common.ts initScript). */
const PROMPT = '# $';

describe('vm console scripting', { skip }, () => {
  const s = useContainerSuite();

  test('expect waits for the prompt, send types a command, screen shows its output', async () => {
    await s.d.ok(`vm launch container con[1-${N}]`);
    await s.d.ok('vm start all');
    await s.d.ok(`vm console expect con1 "${PROMPT}" 20s`);
    await s.d.ok('vm console send con1 "echo $((6*7))-marker<enter>"');
    await s.d.ok('vm console expect con1 ^42-marker 10s');
    await s.d.ok(`vm console expect con1 "${PROMPT}" 10s`);
    const screen = await s.d.ok('vm console screen con1');
    const lines = screen.split('\n');
    const i = lines.findIndex((l) => l.includes('echo $((6*7))-marker'));
    assert.ok(i >= 0, screen);
    assert.equal(lines[i + 1], '42-marker');
    // A full-screen redraw ends up as the screen, not as the byte stream.
    await s.d.ok('vm console send con1 "clear; echo top-line<enter>"');
    await s.d.ok('vm console expect con1 ^top-line 10s');
    assert.match((await s.d.ok('vm console screen con1')).split('\n')[0]!, /^top-line$|clear; echo top-line/);
  });

  test('expect times out with a clear error, bad input is refused', async () => {
    const r = await s.d.exec('vm console expect con2 never-printed-xyz 300ms');
    assert.match(r.errors.join(), /con2: no match for \/never-printed-xyz\/ within 300 ms/);
    assert.match((await s.d.exec('vm console expect con2 "(" 1s')).errors.join(), /bad regular expression/);
    assert.match((await s.d.exec('vm console expect con2 x 1parsec')).errors.join(), /invalid duration/);
    // The language's lexer takes one level of backslashes (\\ is a backslash), the keys the next.
    assert.match((await s.d.exec('vm console send con2 bad\\\\q')).errors.join(), /bad escape `\\q`/);
    assert.match((await s.d.exec('vm console screen nosuch')).errors.join(), /vm not found: nosuch/);
    assert.match((await s.d.exec('vm console play all no-such-recording')).errors.join(), /no-such-recording/);
  });

  test(`keys typed into a console are recorded and played back on ${N} containers at once`, async () => {
    const [con2] = (await s.d.client.call('vm.info')).filter((c) => c.name === 'con2');
    await s.d.ok('vm console record con2 keys.rec');
    const typist = await EngineClient.connect(s.d.base);
    try {
      const sess = await typist.call('console.open', con2!.id);
      for (const chunk of ['ech', 'o ', '"played-$(hostname)"', '\r']) {
        await typist.call('console.input', sess.session, chunk);
        await new Promise((r) => setTimeout(r, 30));
      }
      await s.d.ok('vm console expect con2 ^played-con2 10s');
    } finally {
      typist.close();
    }
    await s.d.ok('vm console stop con2');
    const rec = readFileSync(join(s.d.base, 'files', 'keys.rec'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(
      rec.map((l) => l.replace(/^\d+:/, '')),
      ['ech', 'o ', '"played-$(hostname)"', '\\r'],
    );
    assert.ok(
      rec.slice(1).every((l) => Number(l.split(':')[0]) >= 20),
      rec.join(' '),
    );
    await s.d.ok('vm console play all keys.rec');
    await s.d.ok('vm console expect all ^played-con[0-9]+ 20s');
    for (let i = 1; i <= N; i++) assert.match(await s.d.ok(`vm console screen con${i}`), new RegExp(`^played-con${i}$`, 'm'));
    // A hand-written recording: key names and escapes.
    writeFileSync(join(s.d.base, 'files', 'hand.rec'), '# typed by hand\n0:echo hand<space>made\\x21<enter>\n');
    await s.d.ok('vm console play con3 hand.rec');
    await s.d.ok('vm console expect con3 "^hand\\\\s+made!" 10s');
  });
});
