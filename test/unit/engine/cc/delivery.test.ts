// cc delivery against a fake machine (FakeKernel + FakeShim's scripted exec sessions): id order,
// filters, a container started later, -once, a relaunch, and a daemon that dies mid-delivery —
// the restarted one attaches to what was running, runs what never reached a monitor, and runs
// nothing twice. The cc state and the responses are real files in a temporary base.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { CcCommandSpec, ContainerInfo } from '../../../../engine/api/types.js';
import type { Engine } from '../../../../engine/engine.js';
import { FakeKernel, ROOTFS } from '../fake-kernel.js';

const NS = 'minimega';
const cleanup: (() => void)[] = [];
const bases: string[] = [];
afterEach(async () => {
  // Last made, first undone: an engine reopened on a base closes before that base is removed.
  for (const f of cleanup.splice(0).reverse()) f();
  // A delivery the test left running (or a "dead" daemon's) may still write a response or the
  // journal just after its engine closed, each write a temp file, fsync and rename: remove the base
  // until it stays gone. A file written into a directory between the listing and the rmdir of one
  // removal fails that removal with ENOTEMPTY (after maxRetries walks of the tree); on a loaded machine
  // the writes can trail for longer, so such a removal is tried again for up to 5 s before it fails.
  for (const base of bases.splice(0)) {
    const deadline = Date.now() + 5000;
    while (existsSync(base) && Date.now() <= deadline) {
      try {
        rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 10 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || Date.now() > deadline) throw e;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
});

async function setup(): Promise<{ k: FakeKernel; e: Engine; base: string }> {
  const base = mkdtempSync(join(tmpdir(), 'nm-cc-unit-'));
  const k = new FakeKernel();
  k.dirs.add('/tmp');
  k.dirs.add(base);
  const e = await k.open({ base });
  cleanup.push(() => e.close());
  bases.push(base);
  return { k, e, base };
}

const exec = (...command: string[]): CcCommandSpec => ({ kind: 'exec', command, background: false, once: false });
const info = async (e: Engine) => new Map((await e.handlers['vm.info']()).map((c) => [c.name, c] as [string, ContainerInfo]));

async function answered(e: Engine, id: number, n: number): Promise<string[]> {
  for (let i = 0; i < 500; i++) {
    const c = (await e.handlers['cc.commands'](NS)).find((x) => x.id === id);
    if (c && c.checkedIn.length >= n) return c.checkedIn;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`command ${id}: fewer than ${n} responses`);
}

/** Each fake command prints the name of its container's directory basename. */
function echoDir(k: FakeKernel, names: Map<string, ContainerInfo>): void {
  k.shim.execs.run = (call) => ({ stdout: `${[...names.values()].find((c) => c.dir === call.dir)?.name}\n`, code: 0 });
}

test('a command reaches every running client once, in id order; a container started later gets it too', async () => {
  const { k, e, base } = await setup();
  await e.handlers['vm.launch']('c[0-2]', { ...structuredClone(e.config.current), filesystem: ROOTFS });
  await e.handlers['vm.start']('c0,c1');
  let vms = await info(e);
  echoDir(k, vms);
  assert.equal((await e.handlers['cc.state'](NS)).clients, 2);
  const one = await e.handlers['cc.command'](NS, exec('hostname'));
  const two = await e.handlers['cc.command'](NS, exec('uptime'));
  await answered(e, two, 2);
  for (const n of ['c0', 'c1']) {
    const runs = k.shim.execs.runs.filter((r) => r.dir === vms.get(n)!.dir);
    assert.deepEqual(
      runs.map((r) => r.spec!.argv),
      [['hostname'], ['uptime']],
      `${n}: in id order, each once`,
    );
    assert.equal(readFileSync(join(base, 'files', 'miniccc_responses', String(one), vms.get(n)!.uuid, 'stdout'), 'utf8'), `${n}\n`);
    assert.equal(readFileSync(join(base, 'files', 'miniccc_responses', String(one), vms.get(n)!.uuid, 'exitcode'), 'utf8'), '0');
  }
  await e.handlers['vm.start']('c2');
  vms = await info(e);
  await answered(e, two, 3);
  assert.deepEqual(
    k.shim.execs.runs.filter((r) => r.dir === vms.get('c2')!.dir).map((r) => r.spec!.argv![0]),
    ['hostname', 'uptime'],
  );
  assert.equal(k.shim.execs.runs.length, 6);
});

test('a filter narrows; -once goes to the clients of the moment only; a relaunch runs the others again', async () => {
  const { k, e } = await setup();
  await e.handlers['vm.launch']('d[0-1]', { ...structuredClone(e.config.current), filesystem: ROOTFS, tags: { role: 'db' } });
  await e.handlers['vm.launch']('w0', { ...structuredClone(e.config.current), filesystem: ROOTFS, tags: { role: 'web' } });
  await e.handlers['vm.start']('d0,w0');
  await e.handlers['cc.filter'](NS, { uuid: '', hostname: '', arch: '', os: '', ip: '', mac: '', tags: { role: 'db' } });
  const db = await e.handlers['cc.command'](NS, exec('db-only'));
  await e.handlers['cc.filter'](NS, null);
  const once = await e.handlers['cc.command'](NS, { kind: 'exec', command: ['first-boot'], background: false, once: true });
  await answered(e, once, 2);
  await answered(e, db, 1);
  await e.handlers['vm.start']('d1');
  const every = await e.handlers['cc.command'](NS, exec('every'));
  await answered(e, every, 3);
  const vms = await info(e);
  const ran = (name: string) => k.shim.execs.runs.filter((r) => r.dir === vms.get(name)!.dir).map((r) => r.spec!.argv![0]);
  assert.deepEqual(ran('d0'), ['db-only', 'first-boot', 'every']);
  assert.deepEqual(ran('w0'), ['first-boot', 'every']);
  assert.deepEqual(ran('d1'), ['db-only', 'every'], 'a later client: the filtered command yes, the -once no');
  // Relaunch d0: a new incarnation runs its commands again, except -once.
  await e.handlers['vm.kill']('d0');
  for (let i = 0; i < 200 && (await info(e)).get('d0')!.state !== 'QUIT'; i++) await new Promise((r) => setTimeout(r, 2));
  await e.handlers['vm.start']('d0');
  const vms2 = await info(e);
  for (let i = 0; i < 500 && k.shim.execs.runs.filter((r) => r.dir === vms2.get('d0')!.dir).length < 5; i++) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(ran('d0'), ['db-only', 'first-boot', 'every', 'db-only', 'every']);
});

test('a daemon killed mid-delivery: the restarted one attaches to the running command, runs what never reached a monitor, nothing twice', async () => {
  const { k, e, base } = await setup();
  await e.handlers['vm.launch']('r[0-2]', { ...structuredClone(e.config.current), filesystem: ROOTFS });
  await e.handlers['vm.start']('r0,r1');
  const vms = await info(e);
  let finish!: () => void;
  const held = new Promise<void>((r) => (finish = r));
  k.shim.execs.run = async (call) => {
    if (call.dir === vms.get('r0')!.dir) await held; // still running when the daemon dies
    return { stdout: 'out\n', code: 7 };
  };
  const id = await e.handlers['cc.command'](NS, exec('slow'));
  await answered(e, id, 1); // r1 done, r0 running
  assert.equal(k.shim.execs.runs.length, 2);
  k.daemonDied(e);
  // A third delivery had begun (journaled) and died before its EXEC_START reached the monitor.
  await e.handlers['vm.start']('r2').catch(() => undefined);
  const r2 = (await info(e)).get('r2')!;
  appendFileSync(join(base, 'cc', NS, 'journal'), `S ${id} ${r2.uuid} ${r2.launchedAt}\n`);

  const e2 = await k.open({ base });
  cleanup.push(() => e2.close());
  finish();
  await answered(e2, id, 3);
  const runsOf = (name: string) => k.shim.execs.runs.filter((r) => r.dir === vms.get(name)?.dir || (name === 'r2' && r.dir === r2.dir)).length;
  assert.equal(runsOf('r0'), 1, 'r0: attached, not run again');
  assert.equal(runsOf('r1'), 1, 'r1: done before, not run again');
  assert.equal(runsOf('r2'), 1, 'r2: never reached its monitor, so it runs now, once');
  assert.ok(k.shim.execs.calls.some((c) => c.attach && c.dir === vms.get('r0')!.dir));
  for (const n of ['r0', 'r1']) {
    const dir = join(base, 'files', 'miniccc_responses', String(id), vms.get(n)!.uuid);
    assert.equal(readFileSync(join(dir, 'stdout'), 'utf8'), 'out\n', n);
    assert.equal(readFileSync(join(dir, 'exitcode'), 'utf8'), '7', n);
  }
  assert.ok(existsSync(join(base, 'files', 'miniccc_responses', String(id), r2.uuid, 'exitcode')));
  // The commands and the counter survived: the next id follows.
  assert.equal(await e2.handlers['cc.command'](NS, exec('next')), id + 1);
});

test("stdin=/stdout= tie a command's stdio to the plumber's pipes, as miniccc does (plumbing_miniccc)", async () => {
  const { k, e, base } = await setup();
  await e.handlers['vm.launch']('bar', { ...structuredClone(e.config.current), filesystem: ROOTFS });
  await e.handlers['vm.start']('bar');
  const bar = (await info(e)).get('bar')!;
  let release!: (o: { code: number }) => void;
  k.shim.execs.run = (call) => {
    // `cat`: holds until released; `echo`: prints two lines, the last without its newline.
    if (call.spec?.argv?.[0] === 'cat') return new Promise((r) => (release = r));
    return { stdout: 'hello, world\nbye', code: 0 };
  };
  const cat = await e.handlers['cc.command'](NS, { kind: 'exec', command: ['cat'], background: true, once: false, stdin: 'foopipe', stdout: 'barpipe' });
  await answered(e, cat, 1);
  const pipes = () => Object.fromEntries(e.plumber.pipesOf(NS).map((p) => [p.name, [p.readers, p.writers, p.count, p.previous]]));
  assert.deepEqual(pipes(), { 'minimega//barpipe': [0, 1, 0, ''], 'minimega//foopipe': [1, 0, 0, ''] });
  const catCall = k.shim.execs.calls.find((c) => c.spec?.argv?.[0] === 'cat')!;
  assert.notEqual(catCall.spec!.stdin, false, 'a stdin= command gets a stdin');
  const echo = await e.handlers['cc.command'](NS, { kind: 'exec', command: ['echo', 'hello, world'], background: false, once: false, stdout: 'foopipe' });
  await answered(e, echo, 1);
  for (let i = 0; i < 100 && pipes()['minimega//foopipe']![2] !== 2; i++) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(pipes()['minimega//foopipe'], [1, 0, 2, 'bye'], 'one message per line; the writer is gone with the command');
  assert.equal(catCall.stdin, 'hello, world\nbye\n', "the pipe's messages went to cat's stdin");
  assert.equal(existsSync(join(base, 'files', 'miniccc_responses', String(echo), bar.uuid, 'stdout')), false, 'stdout went to the pipe, not a response');
  release({ code: 0 });
  for (let i = 0; i < 100 && pipes()['minimega//foopipe']![0] !== 0; i++) await new Promise((r) => setTimeout(r, 2));
  assert.deepEqual(pipes(), { 'minimega//barpipe': [0, 0, 0, ''], 'minimega//foopipe': [0, 0, 2, 'bye'] }, 'cat ended: its pipes are let go');
});
