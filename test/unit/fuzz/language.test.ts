// Property test of the command language: any line — words of the language in any order, dot-commands,
// quotes, ranges, variables, comments, control characters — gets a result (output and/or errors)
// and completion suggestions, and never an exception, through a session over a recording fake engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HANDLERS } from '../../../engine/language/index.js';
import { FakeEngine, session, vm } from '../engine/language/fake.js';

/** Cases in CI (issue 12: 10 000 per parser). */
const RUNS = 10_000;

const WORDS = [
  'vm',
  'info',
  'launch',
  'container',
  'kvm',
  'config',
  'kill',
  'start',
  'stop',
  'flush',
  'tag',
  'net',
  'connect',
  'disconnect',
  'vlans',
  'add',
  'range',
  'blacklist',
  'shell',
  'clear',
  'help',
  'echo',
  'read',
  'background',
  'top',
  'stats',
  'summary',
  'filesystem',
  'memory',
  'vcpus',
  'networks',
  'net',
  'hostname',
  'init',
  'preinit',
  'fifos',
  'volume',
  'snapshot',
  'uuid',
  'tags',
  'save',
  'restore',
  'clone',
  'qos',
  'capture',
  'tap',
  'dnsmasq',
  'all',
  'name',
  'state',
  'pid',
  'true',
  'false',
  '0',
  '1',
  '-1',
  '4096',
  '99999999999999999999',
  'foo[0-3]',
  'a[1-5,9]',
  'x[',
  ']',
  '[]',
  '[0-99999999]',
  'LAN',
  '101,02:00:00:00:00:01',
  'mega_bridge,5,10.0.0.1/24',
  '/bin/echo',
  '$PATH',
  '${PATH}',
  '$nope',
  '"two words"',
  "'single'",
  '"unterminated',
  '#',
  '# comment',
  '\\',
  '\\n',
  '|',
  ';',
  '=',
  'key=value',
  'name=foo*',
  '.columns',
  '.filter',
  '.json',
  '.csv',
  '.headers',
  '.annotate',
  '.sort',
  '.alias',
  '.unalias',
  '.record',
  '.env',
  '.preprocess',
  '.history',
  'file:/etc/x',
  '\u0000',
  '\u001b[31m',
  'é✓',
  '\ud800',
];

const line = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 8 })), { maxLength: 14 }).map((w) => w.join(' ')),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

test('every line gets a result and completion, never an exception', async () => {
  const engine = new FakeEngine();
  engine.vms = [vm(0, 'foo0', { state: 'RUNNING', pid: 10 }), vm(1, 'foo1'), vm(2, 'bar', { state: 'QUIT' })];
  await fc.assert(
    fc.asyncProperty(line, async (l) => {
      const { s } = session(engine);
      const r = await s.exec(l);
      assert.equal(typeof r.output, 'string');
      assert.ok(Array.isArray(r.errors) && r.errors.every((e) => typeof e === 'string' && e.length > 0), JSON.stringify(r.errors));
      const suggestions = await s.complete(l);
      assert.ok(Array.isArray(suggestions) && suggestions.every((x) => typeof x === 'string'));
    }),
    { numRuns: RUNS },
  );
});

test('every literal prefix of every pattern in the command table gets a result and completion, never an exception', async () => {
  // What the random lines above reach only by chance (`de` is `debug`), each command by every prefix of its words.
  const lines = new Set<string>();
  for (const h of HANDLERS) {
    for (const p of h.patterns) {
      const words: string[] = [];
      for (const w of p.split(' ')) {
        const choice = /^<([a-z0-9-]+),>$/.exec(w);
        if (choice) words.push(choice[1]!);
        else if (/^[<[(]/.test(w)) break;
        else words.push(w);
        lines.add(words.join(' '));
      }
    }
  }
  assert.ok(lines.size > 300, `${lines.size} lines`);
  for (const l of lines) {
    const engine = new FakeEngine();
    engine.vms = [vm(0, 'foo0', { state: 'RUNNING', pid: 10 }), vm(1, 'foo1'), vm(2, 'bar', { state: 'QUIT' })];
    const { s } = session(engine);
    const r = await s.exec(l).catch((e: unknown) => assert.fail(`${l}: ${String(e)}`));
    assert.ok(
      r.errors.every((e) => typeof e === 'string' && e.length > 0),
      `${l}: ${JSON.stringify(r.errors)}`,
    );
    await s.complete(l).catch((e: unknown) => assert.fail(`${l} (completion): ${String(e)}`));
  }
});

test('a session keeps working after any sequence of lines', async () => {
  const engine = new FakeEngine();
  engine.vms = [vm(0, 'foo0', { state: 'RUNNING', pid: 10 })];
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (lines) => {
      const { s } = session(engine);
      for (const l of lines) await s.exec(l);
      // Whatever aliases, formats or records the lines left, a plain command still runs.
      await s.exec('.unalias all');
      const r = await s.exec('.annotate false .json false .csv false .columns name vm info');
      assert.deepEqual(r.errors, [], `after ${JSON.stringify(lines)}`);
    }),
    { numRuns: RUNS / 10 },
  );
});
