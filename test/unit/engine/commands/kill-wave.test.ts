// A `vm kill` wave: the memory cgroups of its containers go only after the wave's last exit, one
// after the other; everything else at each exit. Kill requests of one turn are written together.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container } from '../../../../engine/context.js';
import { KillWave } from '../../../../engine/commands/kill-wave.js';
import { killTimeout } from '../../../../engine/commands/kill.js';
import { FakeHost } from '../../../../engine/host/fake-host.js';
import { KillIntents } from '../../../../engine/state/kill-intents.js';
import type { ContainerRecord } from '../../../../engine/state/state-store.js';

/** A container whose cgroups only record what was asked of them: `<name>:rest` or `<name>:memory`. */
function member(name: string, log: string[], id = 0): Container {
  const gone = new Set<string>();
  const cgroups = {
    remove: async (opts: { keepMemory?: boolean } = {}) => {
      await Promise.resolve();
      if (!gone.has('rest')) log.push(`${name}:rest`);
      gone.add('rest');
      if (opts.keepMemory || gone.has('memory')) return;
      gone.add('memory');
      log.push(`${name}:memory`);
    },
  };
  return { rec: { id, name, initPid: 100 + id, initStartTicks: 5000 + id } as ContainerRecord, cgroups, queue: Promise.resolve() } as unknown as Container;
}

const turn = () => new Promise((r) => setImmediate(r));

test('memory cgroups go after the last exit of the wave, in arrival order; the rest at each exit', async () => {
  const log: string[] = [];
  const wave = new KillWave(new KillIntents(new FakeHost(), '/run/nm'));
  const [a, b, c] = ['a', 'b', 'c'].map((n) => member(n, log));
  for (const m of [a!, b!, c!]) wave.join(m);
  const seen = [a!, b!, c!].map((m) => wave.expect(m));
  let bRemoved = false;
  void wave.removed(b!).then(() => (bRemoved = true));

  await b!.removeCgroups!();
  await a!.removeCgroups!();
  await Promise.all([seen[0], seen[1]]);
  await turn();
  assert.deepEqual(log, ['b:rest', 'a:rest'], 'nothing of the memory controller while c still lives');
  assert.equal(bRemoved, false);

  await c!.removeCgroups!();
  await wave.removed(c!);
  assert.deepEqual(log, ['b:rest', 'a:rest', 'c:rest', 'b:memory', 'a:memory', 'c:memory']);
  assert.equal(bRemoved, true);
});

test('a member that leaves (not alive, kill failed or timed out) is not waited for', async () => {
  const log: string[] = [];
  const wave = new KillWave(new KillIntents(new FakeHost(), '/run/nm'));
  const [a, b] = ['a', 'b'].map((n) => member(n, log));
  wave.join(a!);
  wave.join(b!);
  void wave.expect(a!);
  void wave.expect(b!);
  await a!.removeCgroups!();
  await turn();
  assert.deepEqual(log, ['a:rest']);
  wave.leave(b!);
  await wave.removed(a!);
  assert.deepEqual(log, ['a:rest', 'a:memory']);
  // b's exit, late, still goes through the wave: all of it at once now.
  await b!.removeCgroups!();
  await wave.removed(b!);
  assert.deepEqual(log, ['a:rest', 'a:memory', 'b:rest', 'b:memory']);
  assert.equal(
    await Promise.race([wave.removed(member('x', log)).then(() => 'resolved'), turn().then(() => 'pending')]),
    'resolved',
    'a stranger is not waited for',
  );
});

test('kill requests asked for in one turn are one write of kills.json; dropped entries rewrite it, the last removes it', async () => {
  const host = new FakeHost();
  const intents = new KillIntents(host, '/run/nm');
  const wave = new KillWave(intents);
  const members = [1, 2, 3].map((id) => member(`m${id}`, [], id));
  await Promise.all(members.map((m) => wave.request(m)));
  const writes = host.calls.filter((c) => c.op === 'writeFileAtomic' && c.path === '/run/nm/kills.json');
  assert.equal(writes.length, 1);
  assert.deepEqual(JSON.parse(host.files.get('/run/nm/kills.json')!), { 1: '101:5001', 2: '102:5002', 3: '103:5003' });

  await intents.remove([1, 2]);
  assert.deepEqual(JSON.parse(host.files.get('/run/nm/kills.json')!), { 3: '103:5003' });
  await intents.remove([1]);
  assert.equal(host.calls.filter((c) => c.op === 'writeFileAtomic').length, 2, 'nothing changed: nothing written');
  await intents.remove([3]);
  assert.equal(host.files.has('/run/nm/kills.json'), false);
});

test('a record without an init yet is not covered; load reads back what was written and survives a bad file', async () => {
  const host = new FakeHost();
  const intents = new KillIntents(host, '/run/nm');
  assert.equal(intents.covers({ id: 4, initPid: 0, initStartTicks: 0 }), false);
  await intents.add([
    { id: 4, initPid: 0, initStartTicks: 0 },
    { id: 5, initPid: 55, initStartTicks: 66 },
  ]);
  const bad: string[] = [];
  assert.deepEqual([...(await new KillIntents(host, '/run/nm').load((m) => bad.push(m)))], [[5, '55:66']]);
  host.files.set('/run/nm/kills.json', '{"5": "55:6');
  assert.deepEqual([...(await new KillIntents(host, '/run/nm').load((m) => bad.push(m)))], []);
  assert.equal(bad.length, 1);
  assert.match(bad[0]!, /kills\.json/);
});

test("a member's timeout runs from the wave's last exit while the others keep exiting, and fires once they stop", async () => {
  const log: string[] = [];
  const wave = new KillWave(new KillIntents(new FakeHost(), '/run/nm'));
  const [a, b, c] = ['a', 'b', 'c'].map((n) => member(n, []));
  for (const m of [a!, b!, c!]) {
    wave.join(m);
    void wave.expect(m);
  }
  // c never exits. Timed from the call it would fail at 300 ms, between a's exit (200) and b's
  // (400); timed from the last exit it fails at 700, after both.
  const limit = killTimeout(
    300,
    () => new Error('c timed out'),
    () => wave.lastExit,
  );
  const failed = limit.promise.catch((e: Error) => log.push(e.message));
  setTimeout(() => void a!.removeCgroups!().then(() => log.push('a exited')), 200);
  setTimeout(() => void b!.removeCgroups!().then(() => log.push('b exited')), 400);
  await failed;
  assert.deepEqual(log, ['a exited', 'b exited', 'c timed out']);

  // Cancelled, it never fires.
  const quiet = killTimeout(
    10,
    () => new Error('cancelled, yet fired'),
    () => wave.lastExit,
  );
  quiet.cancel();
  assert.equal(
    await Promise.race([
      quiet.promise.then(
        () => 'settled',
        () => 'settled',
      ),
      new Promise((r) => setTimeout(() => r('pending'), 50)),
    ]),
    'pending',
  );
  wave.leave(c!);
});

test('a single kill (no wave) times out with no progress to wait for', async () => {
  await assert.rejects(killTimeout(20, () => new Error('timed out')).promise, /timed out/);
});
