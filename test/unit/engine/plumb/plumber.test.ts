// The plumber's delivery rules against a recording fake of its host programs: minimega's
// plumbing_basic counts, round-robin and random, vias, pipelines ending with their programs, namespaces,
// loops bounded, and minimega's errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../../../engine/errors.js';
import { quotedFields } from '../../../../engine/plumb/fields.js';
import { DELIVERY_BUDGET, Plumber, type PlumbPort, type PlumbProcess } from '../../../../engine/plumb/plumber.js';

/** A fake of the programs: `upper` uppercases (via), programs record their stdin and can print and exit. */
class FakePrograms implements PlumbPort {
  readonly started: {
    argv: readonly string[];
    opts: { stdin: boolean; stdout: boolean };
    input: string[];
    print: (l: string) => void;
    exit: (why: string) => void;
    killed: boolean;
  }[] = [];
  readonly path = new Set(['cat', 'sed', 'upper', 'fail']);

  async lookPath(file: string): Promise<string | undefined> {
    return this.path.has(file) ? `/bin/${file}` : undefined;
  }

  start(argv: readonly string[], opts: { stdin: boolean; stdout: boolean }, onLine: (l: string) => void, onExit: (why: string) => void): PlumbProcess {
    const p = { argv, opts, input: [] as string[], print: onLine, exit: (why: string) => setImmediate(() => onExit(why)), killed: false };
    this.started.push(p);
    return { write: (d) => void p.input.push(d), kill: () => void (p.killed = true) };
  }

  async via(argv: readonly string[], input: string): Promise<string> {
    if (argv[0] === '/bin/fail') throw new Error('exit status 1: nope');
    return input.toUpperCase();
  }
}

function plumber(): { p: Plumber; progs: FakePrograms; logs: string[] } {
  const progs = new FakePrograms();
  const logs: string[] = [];
  return { p: new Plumber(progs, (level, m) => logs.push(`${level}: ${m}`)), progs, logs };
}

const counts = (p: Plumber, ns = 'minimega') => Object.fromEntries(p.pipesOf(ns).map((x) => [x.name.split('//')[1], [x.mode, x.readers, x.writers, x.count]]));

test("minimega's plumbing_basic: a binary tree of pipes, mode all then round-robin", async () => {
  const { p } = plumber();
  for (const [a, b] of [
    ['p0', 'p1'],
    ['p0', 'p2'],
    ['p1', 'p3'],
    ['p1', 'p4'],
    ['p2', 'p5'],
    ['p2', 'p6'],
  ])
    await p.plumb('minimega', [a!, b!]);
  assert.deepEqual(p.pipelinesOf('minimega'), [
    'minimega//p0 minimega//p1',
    'minimega//p0 minimega//p2',
    'minimega//p1 minimega//p3',
    'minimega//p1 minimega//p4',
    'minimega//p2 minimega//p5',
    'minimega//p2 minimega//p6',
  ]);
  assert.deepEqual(counts(p).p0, ['all', 2, 0, 0]);
  assert.deepEqual(counts(p).p1, ['all', 2, 1, 0]);
  assert.deepEqual(counts(p).p3, ['all', 0, 1, 0]);
  await p.write('minimega//p0', 'Hello to you.');
  for (const k of ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']) assert.equal(counts(p)[k]![3], 1, k);
  for (const k of ['p0', 'p1', 'p2']) p.set(`minimega//${k}`, { mode: 'round-robin' });
  for (const m of ['This is round robin.', 'This is round 2.', 'This is round 3.', 'This is round 4.']) await p.write('minimega//p0', m);
  const c = counts(p);
  assert.deepEqual([c.p0![3], c.p1![3], c.p2![3], c.p3![3], c.p4![3], c.p5![3], c.p6![3]], [5, 3, 3, 2, 2, 2, 2]);
  const previous = (k: string) => p.pipesOf('minimega').find((x) => x.name === `minimega//${k}`)!.previous;
  assert.deepEqual(
    ['p3', 'p5', 'p4', 'p6'].map(previous),
    ['This is round robin.', 'This is round 2.', 'This is round 3.', 'This is round 4.'],
    'each pipe passes messages to its readers in turn',
  );
});

test('random mode picks one reader per message; via runs per reader; a failing via drops the message', async () => {
  const { p, progs, logs } = plumber();
  await p.plumb('minimega', ['in', 'cat']);
  await p.plumb('minimega', ['in', 'sed']);
  p.set('minimega//in', { mode: 'random' });
  for (let i = 0; i < 20; i++) await p.write('minimega//in', `m${i}`);
  const [cat, sed] = progs.started;
  assert.equal(cat!.input.length + sed!.input.length, 20);
  p.set('minimega//in', { mode: 'all', via: ['upper'] });
  await p.write('minimega//in', 'shout');
  assert.equal(cat!.input.at(-1), 'SHOUT\n');
  assert.equal(sed!.input.at(-1), 'SHOUT\n');
  assert.equal(p.pipesOf('minimega')[0]!.via, 'upper');
  p.set('minimega//in', { via: ['fail'] });
  await p.write('minimega//in', 'x');
  assert.notEqual(cat!.input.at(-1), 'x\n');
  assert.match(logs.join('\n'), /pipe minimega\/\/in: via fail: exit status 1: nope/);
});

test('programs: stdin from the stage before, stdout lines to the next; the pipeline ends when one exits', async () => {
  const { p, progs, logs } = plumber();
  const name = await p.plumb('lab', ['src', 'sed -u "s/a b/c/"', 'dst']);
  assert.equal(name, 'lab//src sed -u "s/a b/c/" lab//dst');
  const sed = progs.started[0]!;
  assert.deepEqual(sed.argv, ['/bin/sed', '-u', 's/a b/c/']);
  assert.deepEqual(sed.opts, { stdin: true, stdout: true });
  await p.write('lab//src', 'hello');
  assert.deepEqual(sed.input, ['hello\n']);
  sed.print('moo\n');
  await new Promise((r) => setImmediate(r));
  assert.equal(p.pipesOf('lab').find((x) => x.name === 'lab//dst')!.previous, 'moo');
  sed.exit('exit status 0');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(p.pipelinesOf('lab'), []);
  assert.equal(sed.killed, true);
  assert.deepEqual(
    p.pipesOf('lab').map((x) => [x.name, x.readers, x.writers]),
    [
      ['lab//dst', 0, 0],
      ['lab//src', 0, 0],
    ],
  );
  assert.match(logs.join('\n'), /sed ended \(exit status 0\); pipeline closed/);
});

test('a first-stage program has no stdin, a last-stage one no stdout', async () => {
  const { p, progs } = plumber();
  await p.plumb('minimega', ['cat /dev/urandom', 'out']);
  await p.plumb('minimega', ['in', 'cat']);
  assert.deepEqual(
    progs.started.map((x) => x.opts),
    [
      { stdin: false, stdout: true },
      { stdin: true, stdout: false },
    ],
  );
});

test('pipes are per namespace; ns//pipe reaches another one', async () => {
  const { p } = plumber();
  await p.plumb('a', ['x', 'b//y']);
  await p.write('a//x', 'hi');
  assert.deepEqual(
    p.pipesOf('a').map((x) => x.name),
    ['a//x'],
  );
  assert.deepEqual(
    p.pipesOf('b').map((x) => [x.name, x.count]),
    [['b//y', 1]],
  );
  assert.deepEqual(p.pipelinesOf('b'), ['a//x b//y'], 'a pipeline naming a pipe of b is listed there too');
  p.deleteNamespace('a');
  assert.deepEqual(p.pipesOf('a'), []);
  assert.deepEqual(p.pipelinesOf('b'), []);
});

test("minimega's errors: an existing pipeline, an unknown one, an unknown pipe, a pipe with writers; bad names", async () => {
  const { p } = plumber();
  await p.plumb('minimega', ['a', 'b']);
  await assert.rejects(p.plumb('minimega', ['a', 'b']), { message: 'pipeline already exists: [minimega//a minimega//b]' });
  await assert.rejects(p.clearPlumb('minimega', ['x', 'y']), { message: 'no such pipeline: [x y]' });
  assert.throws(() => p.deletePipe('minimega//nope'), { message: 'no such pipe: minimega//nope' });
  assert.throws(() => p.deletePipe('minimega//b'), { message: 'cannot delete named pipe with open writers' });
  await p.clearPlumb('minimega', ['a', 'b']);
  p.deletePipe('minimega//b');
  assert.throws(
    () => Plumber.qualify('minimega', 'a b//x'),
    (e: unknown) => e instanceof EngineError && e.code === 'E_CONFIG' && /invalid pipe `a b\/\/x`/.test(e.message),
  );
  assert.throws(() => Plumber.qualify('minimega', 'lab//'), /invalid pipe `lab\/\/`/);
  await assert.rejects(p.plumb('minimega', ['only']), /needs a source and at least one destination/);
});

test('deleting a pipe ends the pipelines reading it and kills their programs; clear plumb ends all of a namespace', async () => {
  const { p, progs } = plumber();
  await p.plumb('minimega', ['feed', 'cat']);
  p.deletePipe('minimega//feed');
  assert.equal(progs.started[0]!.killed, true);
  await p.plumb('minimega', ['a', 'cat']);
  await p.plumb('other', ['a', 'cat']);
  await p.clearPlumb('minimega');
  assert.deepEqual(p.pipelinesOf('minimega'), []);
  assert.deepEqual(p.pipelinesOf('other'), ['other//a cat']);
});

test('a loop of pipes is cut after a bounded number of deliveries and reported', async () => {
  const { p, logs } = plumber();
  await p.plumb('minimega', ['a', 'b']);
  await p.plumb('minimega', ['b', 'a']);
  await p.plumb('minimega', ['b', 'c']);
  await p.write('minimega//a', 'round and round');
  const total = p.pipesOf('minimega').reduce((n, x) => n + x.count, 0);
  assert.ok(total <= DELIVERY_BUDGET + 3, String(total));
  assert.match(logs.join('\n'), /message dropped after (64 pipes in a row|10000 deliveries) \(do the pipelines form a loop\?\)/);
  // A fan-out loop (each message doubles) is cut by the delivery budget.
  await p.plumb('minimega', ['b', 'd']);
  await p.plumb('minimega', ['d', 'a']);
  logs.length = 0;
  await p.write('minimega//a', 'doubling');
  assert.match(logs.join('\n'), /message dropped after/);
});

test('plumb splits a program element on white space, keeping double-quoted groups (minimega fieldsQuoteEscape)', () => {
  assert.deepEqual(quotedFields('sed -u s/foo/moo/'), ['sed', '-u', 's/foo/moo/']);
  assert.deepEqual(quotedFields('awk "{print $1, $2}" -'), ['awk', '{print $1, $2}', '-']);
  assert.deepEqual(quotedFields('echo "one"  two'), ['echo', 'one', 'two']);
  assert.deepEqual(quotedFields('x "unterminated group'), ['x', 'unterminated group']);
});
